using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Frames;

namespace Appliance.EndToEnd.Tests.Support;

/// <summary>Asserts that a direction's counters hold exactly the given frames, size class by size class and family by family.</summary>
public static class ClassCounts
{
    public static void AssertMatches(string where, IReadOnlyList<byte[]> frames, DirectionSnapshot counted)
    {
        var sizes = new long[SizeClasses.Count];
        var families = new long[EtherTypes.FamilyCount];
        long bytes = 0;
        foreach (var frame in frames)
        {
            var info = FrameClassifier.Classify(frame);
            sizes[(int)info.SizeClass]++;
            families[(int)info.Family]++;
            bytes += frame.Length;
        }
        var errors = new List<string>();
        for (int i = 0; i < sizes.Length; i++)
        {
            if (counted.BySize((SizeClass)i) != sizes[i])
                errors.Add($"size {SizeClasses.Label((SizeClass)i)}: sent {sizes[i]}, counted {counted.BySize((SizeClass)i)}");
        }
        for (int i = 0; i < families.Length; i++)
        {
            if (counted.ByFamily((EtherTypeFamily)i) != families[i])
                errors.Add($"family {(EtherTypeFamily)i}: sent {families[i]}, counted {counted.ByFamily((EtherTypeFamily)i)}");
        }
        if (counted.Frames != frames.Count)
            errors.Add($"frames: sent {frames.Count}, counted {counted.Frames}");
        if (counted.Bytes != bytes)
            errors.Add($"bytes: sent {bytes}, counted {counted.Bytes}");
        if (counted.DroppedFrames != 0)
            errors.Add($"drops: {counted.DroppedFrames}");
        Assert.True(errors.Count == 0, $"{where}: " + string.Join("; ", errors));
    }

    /// <summary>Waits until <paramref name="condition"/> holds or the timeout passes.</summary>
    public static bool Eventually(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                return false;
            Thread.Sleep(5);
        }
        return true;
    }
}

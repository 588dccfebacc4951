using System.Collections.Concurrent;

namespace Appliance.Tunnel.Tests.Support;

/// <summary>A capture from tests/Appliance.Tunnel.Tests/Vectors with tshark's dissection of each of its frames.</summary>
public sealed class CaptureVector
{
    /// <summary>The PPPoE exchanges recorded by tests/lab/record-pppoe-vector.sh.</summary>
    public static readonly IReadOnlyList<string> PppoeExchanges = ["pppoe-pap", "pppoe-chap"];

    private static readonly ConcurrentDictionary<string, CaptureVector> Loaded = new(StringComparer.Ordinal);

    private CaptureVector(string name, IReadOnlyList<CapturedFrame> frames, IReadOnlyList<TsharkDissection> dissections)
    {
        Name = name;
        Frames = frames;
        Dissections = dissections;
    }

    public string Name { get; }
    public IReadOnlyList<CapturedFrame> Frames { get; }
    public IReadOnlyList<TsharkDissection> Dissections { get; }

    /// <summary>Loads <c>Vectors/NAME.pcap</c> and <c>Vectors/NAME.tshark.tsv</c> from the test output directory, once.</summary>
    public static CaptureVector Load(string name) => Loaded.GetOrAdd(name, static n =>
    {
        string directory = Path.Combine(AppContext.BaseDirectory, "Vectors");
        return new CaptureVector(
            n,
            PcapReader.ReadFile(Path.Combine(directory, n + ".pcap")),
            TsharkDissection.ReadFile(Path.Combine(directory, n + ".tshark.tsv")));
    });

    /// <summary>Every frame of every PPPoE capture, for tests that do not care which exchange a frame came from.</summary>
    public static IEnumerable<(string Capture, CapturedFrame Frame)> AllPppoeFrames()
    {
        foreach (string name in PppoeExchanges)
        {
            foreach (var frame in Load(name).Frames)
                yield return (name, frame);
        }
    }

    public override string ToString() => Name;
}

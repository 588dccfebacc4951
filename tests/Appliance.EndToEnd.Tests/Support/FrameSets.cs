namespace Appliance.EndToEnd.Tests.Support;

/// <summary>Compares what was sent with what arrived, as multisets of exact byte strings.</summary>
public static class FrameSets
{
    /// <summary>Frames sent but not received (with their descriptions) and frames received but never sent.</summary>
    public static (List<string> Missing, List<string> Unexpected) Compare(IEnumerable<byte[]> sent, IEnumerable<byte[]> received)
    {
        var pending = new Dictionary<string, (int Count, byte[] Frame)>();
        foreach (var frame in sent)
        {
            string key = Convert.ToHexString(frame);
            pending[key] = pending.TryGetValue(key, out var entry) ? (entry.Count + 1, frame) : (1, frame);
        }
        var unexpected = new List<string>();
        foreach (var frame in received)
        {
            string key = Convert.ToHexString(frame);
            if (pending.TryGetValue(key, out var entry) && entry.Count > 0)
                pending[key] = (entry.Count - 1, entry.Frame);
            else
                unexpected.Add(TestFrames.Describe(frame) + ": " + key[..Math.Min(key.Length, 80)]);
        }
        var missing = new List<string>();
        foreach (var entry in pending.Values)
        {
            for (int i = 0; i < entry.Count; i++)
                missing.Add(TestFrames.Describe(entry.Frame));
        }
        return (missing, unexpected);
    }

    public static string Summary(List<string> list, int max = 20) =>
        list.Count == 0 ? "none" : $"{list.Count}: " + string.Join("; ", list.Take(max));
}

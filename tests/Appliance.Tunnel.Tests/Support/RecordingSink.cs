using System.Collections.Concurrent;
using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Switching;

namespace Appliance.Tunnel.Tests.Support;

/// <summary>An <see cref="IFrameSink"/> that keeps a copy of every frame, or refuses with a chosen reason.</summary>
internal sealed class RecordingSink : IFrameSink
{
    public ConcurrentQueue<byte[]> Frames { get; } = new();

    /// <summary>When set, every send fails with this reason.</summary>
    public DropReason? Refuse { get; set; }

    /// <summary>Called inside a successful send: a peer that answers at once.</summary>
    public Action<byte[]>? Answer { get; set; }

    public bool TrySend(ReadOnlySpan<byte> frame, out DropReason reason)
    {
        if (Refuse is { } refusal)
        {
            reason = refusal;
            return false;
        }
        var copy = frame.ToArray();
        Frames.Enqueue(copy);
        Answer?.Invoke(copy);
        reason = default;
        return true;
    }

    public byte[] Single()
    {
        Assert.Single(Frames);
        Frames.TryDequeue(out var frame);
        return frame!;
    }
}

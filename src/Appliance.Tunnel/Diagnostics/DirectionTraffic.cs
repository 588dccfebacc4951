using Appliance.Tunnel.Frames;

namespace Appliance.Tunnel.Diagnostics;

/// <summary>What one direction of a session port carried, in the few numbers the diagnosis needs.</summary>
/// <remarks>
/// Written by one thread per direction without a lock or an interlocked instruction; every field is a 64-bit
/// value written whole, so a reader never sees a torn number. With two writers on one direction (a broadcast
/// flooded from elsewhere while the uplink delivers) an increment can rarely be lost: the port's own
/// <see cref="Counters.PortCounters"/> are the exact count, this is the diagnosis's view.
/// </remarks>
internal sealed class DirectionTraffic
{
    private long _frames;
    private long _shortFrames;
    private long _pppoeFrames;
    private long _ipv4Frames;
    private long _ipv6Frames;
    private long _largestFrame;
    private long _sessionFrames;
    private long _smallestSessionFrame;
    private long _largestSessionFrame;
    private long _smallestDiscoveryFrame;
    private long _lastFrameAt = SnapshotClock.Never;
    private long _lastShortFrameAt = SnapshotClock.Never;
    private long _lastIpv4At = SnapshotClock.Never;
    private long _lastIpv6At = SnapshotClock.Never;

    public void Record(in FrameClass info, long timestamp)
    {
        Volatile.Write(ref _frames, _frames + 1);
        Volatile.Write(ref _lastFrameAt, timestamp);
        if (info.SizeClass == SizeClass.Bytes14To33)
        {
            Volatile.Write(ref _shortFrames, _shortFrames + 1);
            Volatile.Write(ref _lastShortFrameAt, timestamp);
        }
        if (info.Length > _largestFrame)
            Volatile.Write(ref _largestFrame, info.Length);
        if (!info.IsPppoe)
            return;
        Volatile.Write(ref _pppoeFrames, _pppoeFrames + 1);
        // Discovery frames (PADI…) never count as evidence about the session path: only session frames do. Their sizes are kept
        // apart, for a client none of whose session frames ever arrive (its PADR did, so something bigger gets through).
        if (info.Family != EtherTypeFamily.PppoeSession)
        {
            int content = 14 + 4 * info.VlanCount + 6 + info.PppoeLength;
            if (info.Family == EtherTypeFamily.PppoeDiscovery && (_smallestDiscoveryFrame == 0 || content < _smallestDiscoveryFrame))
                Volatile.Write(ref _smallestDiscoveryFrame, content);
            return;
        }
        Volatile.Write(ref _sessionFrames, _sessionFrames + 1);
        if (_smallestSessionFrame == 0 || info.Length < _smallestSessionFrame)
            Volatile.Write(ref _smallestSessionFrame, info.Length);
        if (info.Length > _largestSessionFrame)
            Volatile.Write(ref _largestSessionFrame, info.Length);
        if (info.PppProtocol == PppProtocol.IPv4)
        {
            Volatile.Write(ref _ipv4Frames, _ipv4Frames + 1);
            Volatile.Write(ref _lastIpv4At, timestamp);
        }
        else if (info.PppProtocol == PppProtocol.IPv6)
        {
            Volatile.Write(ref _ipv6Frames, _ipv6Frames + 1);
            Volatile.Write(ref _lastIpv6At, timestamp);
        }
    }

    /// <summary>PPPoE session frames so far: an answer's bookmark of "what the owner had sent before".</summary>
    public long SessionFrames => Volatile.Read(ref _sessionFrames);

    public TrafficView ToView(in SnapshotClock clock) => new()
    {
        Frames = Volatile.Read(ref _frames),
        ShortFrames = Volatile.Read(ref _shortFrames),
        PppoeFrames = Volatile.Read(ref _pppoeFrames),
        IPv4Frames = Volatile.Read(ref _ipv4Frames),
        IPv6Frames = Volatile.Read(ref _ipv6Frames),
        LargestFrame = (int)Volatile.Read(ref _largestFrame),
        SessionFrames = Volatile.Read(ref _sessionFrames),
        SmallestSessionFrame = (int)Volatile.Read(ref _smallestSessionFrame) is var smallest and > 0 ? smallest : null,
        LargestSessionFrame = (int)Volatile.Read(ref _largestSessionFrame),
        SmallestDiscoveryFrame = (int)Volatile.Read(ref _smallestDiscoveryFrame) is var discovery and > 0 ? discovery : null,
        LastFrameAt = clock.At(Volatile.Read(ref _lastFrameAt)),
        LastShortFrameAt = clock.At(Volatile.Read(ref _lastShortFrameAt)),
        LastIPv4At = clock.At(Volatile.Read(ref _lastIpv4At)),
        LastIPv6At = clock.At(Volatile.Read(ref _lastIpv6At)),
    };
}

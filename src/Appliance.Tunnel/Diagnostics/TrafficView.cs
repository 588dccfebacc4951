namespace Appliance.Tunnel.Diagnostics;

/// <summary>One direction of the client's port, in a <see cref="PppoeSessionView"/>: counted since the tracker started, across attempts.</summary>
public sealed record TrafficView
{
    /// <summary>Every frame in this direction, PPPoE or not (In: dropped ones included).</summary>
    public long Frames { get; init; }
    /// <summary>Frames of 14–33 bytes: the size class a faulty TAP driver drops (the 32-byte IPCP Configure-Ack).</summary>
    public long ShortFrames { get; init; }
    public long PppoeFrames { get; init; }
    /// <summary>PPPoE session frames carrying IPv4 datagrams (PPP protocol 0x0021).</summary>
    public long IPv4Frames { get; init; }
    /// <summary>PPPoE session frames carrying IPv6 datagrams (PPP protocol 0x0057).</summary>
    public long IPv6Frames { get; init; }
    /// <summary>Length in bytes of the largest frame seen.</summary>
    public int LargestFrame { get; init; }
    /// <summary>PPPoE session frames (control and data; discovery frames are not session frames).</summary>
    public long SessionFrames { get; init; }
    /// <summary>Length of the smallest PPPoE session frame seen; null when none: evidence of which sizes this path carries.</summary>
    public int? SmallestSessionFrame { get; init; }
    /// <summary>Length of the largest PPPoE session frame seen; 0 when none.</summary>
    public int LargestSessionFrame { get; init; }
    /// <summary>PPP content size (14 + 6 + PPPoE length, no padding) of the smallest PPPoE discovery frame seen; null when none. Never
    /// evidence about session frames, except that a client none of whose session frames arrive can send frames this long.</summary>
    public int? SmallestDiscoveryFrame { get; init; }
    public DateTimeOffset? LastFrameAt { get; init; }
    public DateTimeOffset? LastShortFrameAt { get; init; }
    public DateTimeOffset? LastIPv4At { get; init; }
    public DateTimeOffset? LastIPv6At { get; init; }

    public static TrafficView Empty { get; } = new();
}

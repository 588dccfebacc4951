namespace Appliance.Tunnel.Diagnostics;

/// <summary>A value snapshot of one client's PPPoE session as its switch port saw it; see <see cref="PppoeSessionTracker"/>.</summary>
/// <remarks>Protocol state is of the latest attempt (a new PADI starts one); <see cref="In"/> and <see cref="Out"/>
/// count since the tracker started.</remarks>
public sealed record PppoeSessionView
{
    /// <summary>When the snapshot was taken: the "now" every rule of <see cref="PppoeDiagnosis"/> measures against.</summary>
    public DateTimeOffset TakenAt { get; init; }
    /// <summary>When the tracker started watching the port.</summary>
    public DateTimeOffset TrackingSince { get; init; }
    public PppoeDiscoveryView Discovery { get; init; } = PppoeDiscoveryView.Empty;
    public ControlProtocolView Lcp { get; init; } = new() { Protocol = Frames.PppProtocol.Lcp };
    public AuthenticationView Authentication { get; init; } = AuthenticationView.Empty;
    public ControlProtocolView Ipcp { get; init; } = new() { Protocol = Frames.PppProtocol.Ipcp };
    public ControlProtocolView Ipv6cp { get; init; } = new() { Protocol = Frames.PppProtocol.Ipv6cp };
    /// <summary>PPP control frames of another PPPoE session id than this attempt's (ignored for state).</summary>
    public long ForeignSessionFrames { get; init; }
    /// <summary>Frames from the client.</summary>
    public TrafficView In { get; init; } = TrafficView.Empty;
    /// <summary>Frames delivered towards the client.</summary>
    public TrafficView Out { get; init; } = TrafficView.Empty;
    /// <summary>Answers the client owes (Echo-Replies, Configure-Acks) and never sent or that never reached the switch, oldest first, with the size each must have.</summary>
    public IReadOnlyList<AwaitedAnswer> AnswersOwedByClient { get; init; } = [];
    /// <summary>Answers the ISP owes the client, oldest first.</summary>
    public IReadOnlyList<AwaitedAnswer> AnswersOwedByIsp { get; init; } = [];
    /// <summary>Answers sent towards the client that it evidently never received: it repeated the request they answered.</summary>
    public IReadOnlyList<LostFrame> LostTowardClient { get; init; } = [];
    /// <summary>The ISP's LCP Magic-Number (RFC 1661 §6.4), from its Configure-Request or Echo-Request; null before either.</summary>
    public uint? IspMagicNumber { get; init; }
    /// <summary>Smallest frame sent towards the client that it answered, so evidently received; null when none yet.</summary>
    public int? SmallestDeliveredToClient { get; init; }
    /// <summary>The latest <see cref="Diagnostics.LargeFrameCheck"/> (run when LCP opens); null before one finished.</summary>
    public LargeFrameCheckResult? LargeFrameCheck { get; init; }
}

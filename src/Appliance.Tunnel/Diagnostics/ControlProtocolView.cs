using Appliance.Tunnel.Frames;

namespace Appliance.Tunnel.Diagnostics;

/// <summary>One PPP control protocol (LCP, IPCP or IPv6CP) of a session, both ends.</summary>
public sealed record ControlProtocolView
{
    public PppProtocol Protocol { get; init; }
    /// <summary>True while both ends' Configure-Requests stand acknowledged and nothing closed the protocol since.</summary>
    public bool IsOpened { get; init; }
    /// <summary>How often the protocol reached Opened in this attempt.</summary>
    public long TimesOpened { get; init; }
    public DateTimeOffset? OpenedAt { get; init; }
    public DateTimeOffset? ClosedAt { get; init; }
    /// <summary>Configure-Requests that arrived in Opened and restarted negotiation.</summary>
    public long Renegotiations { get; init; }
    /// <summary>The end that sent the first Terminate-Request of the latest termination; null when none.</summary>
    public SessionSide? TerminatedBy { get; init; }
    /// <summary>Packets with codes the protocol's state does not use (Discard-Request, unknown codes).</summary>
    public long DiscardedPackets { get; init; }
    /// <summary>The end that answered this protocol with an LCP Protocol-Reject (it does not run it at all); null when none.</summary>
    public SessionSide? RefusedBy { get; init; }
    /// <summary>The client's end: its requests came In.</summary>
    public NegotiatorView Client { get; init; } = NegotiatorView.Empty;
    /// <summary>The ISP's end: its requests went Out.</summary>
    public NegotiatorView Isp { get; init; } = NegotiatorView.Empty;

    /// <summary>True when the protocol reached Opened at least once in this attempt.</summary>
    public bool WasOpened => TimesOpened > 0;

    public NegotiatorView Side(SessionSide side) => side == SessionSide.Client ? Client : Isp;
}

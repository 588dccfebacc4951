using Appliance.Contracts;
using Appliance.Tunnel.Diagnostics;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Sessions;
using Appliance.Tunnel.Switching;

namespace Appliance.Agent.Api;

/// <summary>Turns engine sessions and their PPPoE views into the API's <see cref="SessionDto"/>, engine enums into the documented kebab-case strings.</summary>
internal static class SessionViews
{
    public static SessionDto From(TunnelSession session, EthernetSwitch sw, SwitchPort? uplink)
    {
        var port = session.Port;
        DirectionCountersDto? inbound = null, outbound = null;
        PppoeViewDto? pppoe = null;
        var macs = new List<string>();
        if (port is not null)
        {
            var counters = port.Counters.Snapshot();
            inbound = CounterDtos.From(counters.In);
            outbound = CounterDtos.From(counters.Out);
            foreach (var entry in sw.Macs.Snapshot())
            {
                if (ReferenceEquals(entry.Port, port))
                    macs.Add(entry.Address.ToString());
            }
            if (session.Pppoe is { } tracker)
            {
                var view = tracker.Snapshot();
                // The driver warning comes from the client's peer-info, the moment it connects, before any PPPoE frame is lost.
                var findings = TapWindows6Versions.WithWarning(PppoeDiagnosis.Diagnose(view, counters, uplink?.Counters.Snapshot()), session.Peer);
                pppoe = From(view, findings);
            }
        }
        return new SessionDto(
            session.Name,
            session.CommonName,
            RemoteAddress(session.Link.Remote),
            session.Link.IsDatagram ? "udp" : "tcp",
            session.IsEstablished ? Appliance.Tunnel.DataChannel.DataCiphers.Name(session.Cipher) : "",
            session.IsEstablished && !session.IsClosing,
            session.ConnectedAt,
            pppoe?.FromClient.LastFrameAt,
            session.Renegotiations,
            session.Peer?.Version,
            session.Peer?.Platform,
            macs,
            inbound,
            outbound,
            pppoe);
    }

    /// <summary>The link describes itself as "udp ADDRESS:PORT"; the DTO has the transport apart.</summary>
    private static string RemoteAddress(string remote) =>
        remote.StartsWith("udp ", StringComparison.Ordinal) || remote.StartsWith("tcp ", StringComparison.Ordinal) ? remote[4..] : remote;

    public static PppoeViewDto From(PppoeSessionView view, IReadOnlyList<PppoeFinding> findings)
    {
        var d = view.Discovery;
        var findingDtos = new List<PppoeFindingDto>(findings.Count);
        foreach (var f in findings)
            findingDtos.Add(From(f));
        return new PppoeViewDto(
            view.TakenAt,
            new PppoeDiscoveryDto(Discovery(d.State), d.SessionId, d.ClientMac?.ToString(), d.AccessConcentratorMac?.ToString(),
                d.Padi, d.Pado, d.Padr, d.Pads, d.Padt, d.Padm, d.SessionAt, d.TerminatedAt, Side(d.TerminatedBy)),
            From(view.Lcp, "LCP"),
            new PppAuthenticationDto(AuthenticationProtocol(view.Authentication.Protocol), Outcome(view.Authentication.Outcome),
                view.Authentication.Requests, view.Authentication.Successes, view.Authentication.Failures),
            From(view.Ipcp, "IPCP"),
            From(view.Ipv6cp, "IPv6CP"),
            From(view.In),
            From(view.Out),
            findingDtos);
    }

    public static PppoeFindingDto From(PppoeFinding f)
    {
        var evidence = new List<MissingFrameDto>(f.Evidence.Count);
        foreach (var e in f.Evidence)
        {
            evidence.Add(new MissingFrameDto(Side(e.From) ?? "client", e.ProtocolName, e.CodeName, e.Identifier, e.Size));
        }
        return new PppoeFindingDto(Severity(f.Severity), f.Code, f.Explanation, f.Fix, evidence, f.SizeThreshold, f.Parameters);
    }

    private static PppControlProtocolDto From(ControlProtocolView p, string name) =>
        new(name, p.IsOpened, p.TimesOpened, p.OpenedAt, p.ClosedAt, From(p.Client), From(p.Isp));

    private static PppNegotiatorDto From(NegotiatorView n) =>
        new(Negotiation(n.State), n.ConfigureRequests, n.Retransmissions, n.UnansweredRequests, n.RequestAcked, n.AcksReceived,
            n.NaksReceived, n.RejectsReceived, n.EchoRequests, n.EchoRepliesReceived, n.UnansweredEchoes);

    private static PppoeTrafficDto From(TrafficView t) =>
        new(t.Frames, t.ShortFrames, t.PppoeFrames, t.IPv4Frames, t.IPv6Frames, t.LargestFrame, t.LastFrameAt);

    public static string Discovery(PppoeDiscoveryState state) => state switch
    {
        PppoeDiscoveryState.Idle => "idle",
        PppoeDiscoveryState.PadiSent => "padi-sent",
        PppoeDiscoveryState.PadoReceived => "offered",
        PppoeDiscoveryState.PadrSent => "requested",
        PppoeDiscoveryState.Refused => "refused",
        PppoeDiscoveryState.Session => "session",
        PppoeDiscoveryState.Terminated => "terminated",
        _ => "unknown",
    };

    public static string Negotiation(PppNegotiationState state) => state switch
    {
        PppNegotiationState.Initial => "initial",
        PppNegotiationState.RequestSent => "req-sent",
        PppNegotiationState.AckReceived => "ack-received",
        PppNegotiationState.AckSent => "ack-sent",
        PppNegotiationState.Opened => "opened",
        PppNegotiationState.Closing => "closing",
        PppNegotiationState.Closed => "closed",
        _ => "unknown",
    };

    public static string Outcome(AuthenticationOutcome outcome) => outcome switch
    {
        AuthenticationOutcome.None => "none",
        AuthenticationOutcome.Pending => "pending",
        AuthenticationOutcome.Succeeded => "success",
        AuthenticationOutcome.Failed => "failure",
        _ => "unknown",
    };

    public static string Severity(FindingSeverity severity) => severity switch
    {
        FindingSeverity.Info => "info",
        FindingSeverity.Warning => "warning",
        _ => "error",
    };

    private static string AuthenticationProtocol(PppProtocol protocol) => protocol switch
    {
        PppProtocol.Pap => "PAP",
        PppProtocol.Chap => "CHAP",
        _ => "none",
    };

    private static string? Side(SessionSide? side) => side switch
    {
        SessionSide.Client => "client",
        SessionSide.Isp => "isp",
        _ => null,
    };
}

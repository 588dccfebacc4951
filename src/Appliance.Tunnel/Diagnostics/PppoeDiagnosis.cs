using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Frames;
using static System.FormattableString;

namespace Appliance.Tunnel.Diagnostics;

/// <summary>Turns a <see cref="PppoeSessionView"/> (and the ports' counters) into findings an operator can act on.</summary>
/// <remarks>Pure: the same view gives the same findings; "now" is <see cref="PppoeSessionView.TakenAt"/>. Runs off
/// the data path (it formats text). Each rule is one method; a rule that finds nothing returns null.</remarks>
public static class PppoeDiagnosis
{
    /// <param name="view">The client's session, from <see cref="PppoeSessionTracker.Snapshot"/>.</param>
    /// <param name="clientPort">The client's session port counters, for drops the tracker does not see.</param>
    /// <param name="uplinkPort">The uplink port counters, for oversize frames from the ISP side.</param>
    /// <returns>Findings, most severe first; empty when nothing is wrong.</returns>
    public static IReadOnlyList<PppoeFinding> Diagnose(
        PppoeSessionView view,
        PortCountersSnapshot? clientPort = null,
        PortCountersSnapshot? uplinkPort = null,
        PppoeDiagnosisThresholds? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(view);
        var t = thresholds ?? PppoeDiagnosisThresholds.Default;
        var findings = new List<PppoeFinding>();
        var sizeTowardClient = FrameSizeReasoning.TowardClient(view, t);
        var sizeFromClient = FrameSizeReasoning.FromClient(view, t, sizeTowardClient?.SizeThreshold ?? 0);
        // A size finding explains every unanswered request it names: no rule may blame the client's PPP stack for them.
        bool sizeExplains = sizeFromClient is not null || sizeTowardClient is not null;

        Add(findings, NoAccessConcentrator(view, t));
        Add(findings, OfferIgnoredByClient(view, t));
        Add(findings, AccessConcentratorRefuses(view, t));
        Add(findings, AuthenticationFailed(view));
        Add(findings, sizeFromClient);
        Add(findings, sizeTowardClient);
        Add(findings, FrameSizeReasoning.LargeFrameCheckLost(view, t));
        var ipcpStuck = sizeExplains ? null : IpcpStuck(view, t);
        Add(findings, ipcpStuck);
        if (!sizeExplains)
            Add(findings, IspEchoesUnanswered(view, t));
        Add(findings, ClientEchoesUnanswered(view, t));
        // A stuck IPCP or a size fault already explains why only IPv6 is up.
        if (ipcpStuck is null && !sizeExplains)
            Add(findings, IPv6Only(view, t));
        Add(findings, IPv4Only(view, t));
        Add(findings, QuietData(view, view.Ipcp, "IPv4", view.In.LastIPv4At, view.Out.LastIPv4At, t));
        Add(findings, QuietData(view, view.Ipv6cp, "IPv6", view.In.LastIPv6At, view.Out.LastIPv6At, t));
        Add(findings, OversizeFromClient(clientPort));
        Add(findings, OversizeFromUplink(uplinkPort));

        // Most severe first, rule order within a severity.
        var ordered = new List<PppoeFinding>(findings.Count);
        for (int severity = (int)FindingSeverity.Error; severity >= (int)FindingSeverity.Info; severity--)
        {
            foreach (var finding in findings)
            {
                if ((int)finding.Severity == severity)
                    ordered.Add(finding);
            }
        }
        return ordered;
    }

    private static void Add(List<PppoeFinding> findings, PppoeFinding? finding)
    {
        if (finding is null)
            return;
        foreach (var existing in findings)
        {
            if (existing.Code == finding.Code)
                return;
        }
        findings.Add(finding);
    }

    private static bool Exceeded(DateTimeOffset? since, DateTimeOffset now, TimeSpan limit) =>
        since is { } start && now - start >= limit;

    private static double Seconds(DateTimeOffset? since, DateTimeOffset now) =>
        since is { } start ? Math.Round((now - start).TotalSeconds) : 0;

    private static PppoeFinding? NoAccessConcentrator(PppoeSessionView view, PppoeDiagnosisThresholds t)
    {
        var d = view.Discovery;
        if (d.Padi == 0 || d.Pado > 0 || d.State != PppoeDiscoveryState.PadiSent)
            return null;
        if (d.Padi < t.DiscoveryRetries && !Exceeded(d.FirstPadiAt, view.TakenAt, t.DiscoveryTimeout))
            return null;
        return new PppoeFinding(
            FindingSeverity.Error,
            PppoeFindingCodes.NoAccessConcentrator,
            Invariant($"The client broadcast {d.Padi} PADI(s) over {Seconds(d.FirstPadiAt, view.TakenAt)} s and no access concentrator answered with a PADO."),
            "Check the appliance's uplink towards the ISP: the NIC or bridge it is on, the VLAN tag the ISP expects, the cable and the ISP's modem or ONT.")
        { Parameters = FindingParameters.Of(("padi", d.Padi), ("seconds", Seconds(d.FirstPadiAt, view.TakenAt))) };
    }

    private static PppoeFinding? OfferIgnoredByClient(PppoeSessionView view, PppoeDiagnosisThresholds t)
    {
        var d = view.Discovery;
        if (d.State != PppoeDiscoveryState.PadoReceived || d.Padr > 0 || d.OfferErrors != PppoeErrorTags.None)
            return null;
        if (!Exceeded(d.FirstPadoAt, view.TakenAt, t.DiscoveryTimeout))
            return null;
        return new PppoeFinding(
            FindingSeverity.Warning,
            PppoeFindingCodes.OfferIgnoredByClient,
            Invariant($"{d.Pado} access concentrator offer(s) (PADO) reached the client, which never requested a session (PADR): the offers do not match the service name or concentrator name it asks for."),
            "Clear the service name and access concentrator name in the client's PPPoE settings, or set the ones the ISP gives.")
        { Parameters = FindingParameters.Of(("pado", d.Pado)) };
    }

    private static PppoeFinding? AccessConcentratorRefuses(PppoeSessionView view, PppoeDiagnosisThresholds t)
    {
        var d = view.Discovery;
        var errors = d.SessionErrors | d.OfferErrors;
        if (errors != PppoeErrorTags.None)
        {
            string packet = d.State == PppoeDiscoveryState.Refused ? "refused the session in its PADS" : "sent an offer with an error";
            return new PppoeFinding(
                FindingSeverity.Error,
                PppoeFindingCodes.AccessConcentratorRefuses,
                $"The access concentrator {packet} ({Describe(errors)}).",
                FixFor(errors))
            {
                Parameters = FindingParameters.Of(
                    (FindingParameters.Variant, d.State == PppoeDiscoveryState.Refused ? "refused" : "offer-error"), ("errors", ErrorNames(errors))),
            };
        }
        bool waiting = d.State == PppoeDiscoveryState.PadrSent && d.Padr > 0 && d.Pads == 0;
        if (!waiting || (d.Padr < t.DiscoveryRetries && !Exceeded(d.FirstPadrAt, view.TakenAt, t.DiscoveryTimeout)))
            return null;
        return new PppoeFinding(
            FindingSeverity.Error,
            PppoeFindingCodes.AccessConcentratorRefuses,
            Invariant($"The client requested a session {d.Padr} time(s) (PADR) over {Seconds(d.FirstPadrAt, view.TakenAt)} s and the access concentrator never confirmed it (PADS)."),
            "Clear the service name in the client's PPPoE settings or set the one the ISP gives; if it persists, ask the ISP whether the line allows another session.")
        { Parameters = FindingParameters.Of((FindingParameters.Variant, "no-pads"), ("padr", d.Padr), ("seconds", Seconds(d.FirstPadrAt, view.TakenAt))) };
    }

    private static string Describe(PppoeErrorTags errors)
    {
        var parts = new List<string>(3);
        if ((errors & PppoeErrorTags.ServiceNameError) != 0)
            parts.Add("Service-Name-Error: the requested service name is not offered");
        if ((errors & PppoeErrorTags.AcSystemError) != 0)
            parts.Add("AC-System-Error: the concentrator cannot take a session, often because it has none free");
        if ((errors & PppoeErrorTags.GenericError) != 0)
            parts.Add("Generic-Error");
        return string.Join("; ", parts);
    }

    /// <summary>The error tags as parameter text: "service-name-error,ac-system-error,generic-error" (those present, in this order).</summary>
    private static string ErrorNames(PppoeErrorTags errors)
    {
        var names = new List<string>(3);
        if ((errors & PppoeErrorTags.ServiceNameError) != 0)
            names.Add("service-name-error");
        if ((errors & PppoeErrorTags.AcSystemError) != 0)
            names.Add("ac-system-error");
        if ((errors & PppoeErrorTags.GenericError) != 0)
            names.Add("generic-error");
        return string.Join(',', names);
    }

    private static string FixFor(PppoeErrorTags errors) =>
        (errors & PppoeErrorTags.ServiceNameError) != 0
            ? "Clear the service name in the client's PPPoE settings, or set exactly the one the ISP gives."
            : (errors & PppoeErrorTags.AcSystemError) != 0
                ? "Wait a minute and redial (an old session of this line may still be held open); if it persists, ask the ISP."
                : "Redial; if it persists, ask the ISP what the concentrator refuses.";

    private static PppoeFinding? AuthenticationFailed(PppoeSessionView view)
    {
        var a = view.Authentication;
        // A failed earlier attempt stands while the client redials, until an attempt succeeds.
        bool failed = a.Outcome == AuthenticationOutcome.Failed || (a.FailedAttempts > 0 && a.Outcome != AuthenticationOutcome.Succeeded);
        if (!failed)
            return null;
        var used = a.Outcome == AuthenticationOutcome.Failed ? a.Protocol : a.FailedProtocol;
        string protocol = used == PppProtocol.Chap ? "CHAP" : "PAP";
        long dialups = a.FailedAttempts + (a.Outcome == AuthenticationOutcome.Failed ? 1 : 0);
        // Only counts and codes: the view holds no user name or password, and none may be printed.
        return new PppoeFinding(
            FindingSeverity.Error,
            PppoeFindingCodes.AuthenticationFailed,
            Invariant($"The ISP rejected the client's {protocol} authentication ({dialups} dial-up(s) in a row refused): the ISP user name or password is wrong."),
            "Check the ISP user name and password in the client's PPPoE connection: they are the ISP account's (case-sensitive), not the VPN's.")
        { Parameters = FindingParameters.Of(("protocol", protocol), ("dialups", dialups)) };
    }

    private static PppoeFinding? IpcpStuck(PppoeSessionView view, PppoeDiagnosisThresholds t)
    {
        var isp = view.Ipcp.Isp;
        // Waiting ends when IPCP closes (hang-up, LCP down): a post-mortem must not count the time since.
        var end = view.Ipcp.ClosedAt is { } closed && closed >= isp.FirstUnansweredRequestAt ? closed : view.TakenAt;
        bool ispKeepsAsking = !isp.RequestAcked && !view.Ipcp.IsOpened &&
            (isp.UnansweredRequests >= t.UnansweredIpcpRequests ||
             (isp.UnansweredRequests > 0 && Exceeded(isp.FirstUnansweredRequestAt, end, t.UnansweredIpcpTime)));
        if (!ispKeepsAsking || !view.Lcp.WasOpened || view.Ipcp.RefusedBy == SessionSide.Client)
            return null;
        // Only when frames as short as the missing answers do arrive from the client is its PPP stack to blame: else the size
        // rules decide, once there is enough evidence, and nothing is said before.
        int answerSize = SmallestMissingIpcpAnswer(view, t);
        if (view.In.SmallestSessionFrame is not { } smallestIn || answerSize == 0 || smallestIn > answerSize)
            return null;
        return new PppoeFinding(
            FindingSeverity.Warning,
            PppoeFindingCodes.IpcpUnansweredByClient,
            Invariant($"The ISP sent {isp.UnansweredRequests} IPCP Configure-Request(s) the client never answered, although PPPoE session frames as short as {smallestIn} bytes do arrive from it (the missing Configure-Ack is {answerSize} bytes): its PPP stack is not negotiating IPv4."),
            "Enable IPv4 (TCP/IPv4) on the client's PPPoE connection and redial.")
        {
            Evidence = MissingIpcpAnswers(view, t),
            Parameters = FindingParameters.Of(("requests", isp.UnansweredRequests), ("smallestArrived", smallestIn), ("answerSize", answerSize)),
        };
    }

    private static int SmallestMissingIpcpAnswer(PppoeSessionView view, PppoeDiagnosisThresholds t)
    {
        int smallest = 0;
        foreach (var f in MissingIpcpAnswers(view, t))
        {
            if (smallest == 0 || f.Size < smallest)
                smallest = f.Size;
        }
        return smallest;
    }

    private static List<LostFrame> MissingIpcpAnswers(PppoeSessionView view, PppoeDiagnosisThresholds t)
    {
        var frames = new List<LostFrame>();
        foreach (var a in FrameSizeReasoning.Missing(view.AnswersOwedByClient, view.TakenAt, t))
        {
            if (a.Protocol == PppProtocol.Ipcp)
                frames.Add(new LostFrame(a.Owner, a.Protocol, a.Code, a.Identifier, a.ExpectedSize));
        }
        return frames;
    }

    private static PppoeFinding? IspEchoesUnanswered(PppoeSessionView view, PppoeDiagnosisThresholds t)
    {
        var isp = view.Lcp.Isp;
        if (!view.Lcp.IsOpened || isp.UnansweredEchoes < t.UnansweredEchoes)
            return null;
        // Other frames still arriving from the client mean it is alive: then the size rules speak, not this one.
        bool clientAlive = view.In.LastFrameAt is { } last && isp.FirstUnansweredEchoAt is { } first && last > first;
        if (clientAlive)
            return null;
        return new PppoeFinding(
            FindingSeverity.Warning,
            PppoeFindingCodes.LcpEchoUnansweredByClient,
            Invariant($"The ISP's last {isp.UnansweredEchoes} LCP Echo-Requests to the client got no reply: the client or its tunnel is gone, and the ISP will end the session."),
            "Check that the client's VPN connection is up and the machine is awake; the client will have to redial.")
        { Parameters = FindingParameters.Of(("echoes", isp.UnansweredEchoes)) };
    }

    private static PppoeFinding? ClientEchoesUnanswered(PppoeSessionView view, PppoeDiagnosisThresholds t)
    {
        var client = view.Lcp.Client;
        if (!view.Lcp.IsOpened || client.UnansweredEchoes < t.UnansweredEchoes)
            return null;
        return new PppoeFinding(
            FindingSeverity.Error,
            PppoeFindingCodes.LcpEchoUnansweredByIsp,
            Invariant($"The client's last {client.UnansweredEchoes} LCP Echo-Requests over {Seconds(client.FirstUnansweredEchoAt, view.TakenAt)} s got no reply from the ISP: the link towards the ISP is dead."),
            "Check the appliance's uplink (cable, NIC, bridge, VLAN) and the ISP's line; the client will redial when the link is back.")
        { Parameters = FindingParameters.Of(("echoes", client.UnansweredEchoes), ("seconds", Seconds(client.FirstUnansweredEchoAt, view.TakenAt))) };
    }

    private static PppoeFinding? IPv6Only(PppoeSessionView view, PppoeDiagnosisThresholds t)
    {
        if (!view.Ipv6cp.IsOpened || view.Ipcp.WasOpened || !Exceeded(view.Ipv6cp.OpenedAt, view.TakenAt, t.UnansweredIpcpTime))
            return null;
        var ipcp = view.Ipcp;
        if (ipcp.RefusedBy == SessionSide.Client)
        {
            return new PppoeFinding(
                FindingSeverity.Warning,
                PppoeFindingCodes.IPv6Only,
                ("IPv6 came up but the client refused IPv4: it answered the ISP's IPCP Configure-Request with an LCP Protocol-Reject, so IPv4 is turned off on its PPPoE connection."),
                "Enable IPv4 (TCP/IPv4) on the client's PPPoE connection and redial.")
            { Parameters = FindingParameters.Of((FindingParameters.Variant, "refused-by-client")) };
        }
        if (ipcp.Client.ConfigureRequests == 0 && ipcp.Isp.ConfigureRequests == 0)
        {
            return new PppoeFinding(
                FindingSeverity.Warning,
                PppoeFindingCodes.IPv6Only,
                "IPv6 came up but neither end asked for IPv4 (no IPCP Configure-Request): the client has IPv4 turned off on its PPPoE connection.",
                "Enable IPv4 (TCP/IPv4) on the client's PPPoE connection and redial.")
            { Parameters = FindingParameters.Of((FindingParameters.Variant, "not-asked")) };
        }
        if (ipcp.Client.RejectsReceived > 0 || view.Lcp.Isp.RejectsSent > 0)
        {
            return new PppoeFinding(
                FindingSeverity.Warning,
                PppoeFindingCodes.IPv6Only,
                "IPv6 came up but the ISP rejected the client's IPv4 negotiation: this ISP account offers no IPv4 here.",
                "Ask the ISP whether the account includes IPv4 over PPPoE.")
            { Parameters = FindingParameters.Of((FindingParameters.Variant, "isp-rejected")) };
        }
        return new PppoeFinding(
            FindingSeverity.Warning,
            PppoeFindingCodes.IPv6Only,
            Invariant($"IPv6 came up {Seconds(view.Ipv6cp.OpenedAt, view.TakenAt)} s ago but IPv4 (IPCP) has not: {ipcp.Client.ConfigureRequests} request(s) from the client, {ipcp.Isp.ConfigureRequests} from the ISP, none settled."),
            "Redial; if IPv4 still does not come up, capture the client's port and compare the IPCP exchange in both directions.")
        {
            Parameters = FindingParameters.Of((FindingParameters.Variant, "unsettled"), ("seconds", Seconds(view.Ipv6cp.OpenedAt, view.TakenAt)),
                ("clientRequests", ipcp.Client.ConfigureRequests), ("ispRequests", ipcp.Isp.ConfigureRequests)),
        };
    }

    private static PppoeFinding? IPv4Only(PppoeSessionView view, PppoeDiagnosisThresholds t)
    {
        if (!view.Ipcp.IsOpened || view.Ipv6cp.WasOpened || !Exceeded(view.Ipcp.OpenedAt, view.TakenAt, t.UnansweredIpcpTime))
            return null;
        return new PppoeFinding(
            FindingSeverity.Info,
            PppoeFindingCodes.IPv4Only,
            Invariant($"IPv4 is up but IPv6 was not negotiated ({view.Ipv6cp.Client.ConfigureRequests} IPv6CP request(s) from the client, {view.Ipv6cp.Isp.ConfigureRequests} from the ISP)."),
            "If the site needs IPv6, enable it on the client's PPPoE connection and ask the ISP whether the account includes it.")
        { Parameters = FindingParameters.Of(("clientRequests", view.Ipv6cp.Client.ConfigureRequests), ("ispRequests", view.Ipv6cp.Isp.ConfigureRequests)) };
    }

    private static PppoeFinding? QuietData(PppoeSessionView view, ControlProtocolView ncp, string family, DateTimeOffset? lastIn, DateTimeOffset? lastOut, PppoeDiagnosisThresholds t)
    {
        if (!ncp.IsOpened || ncp.OpenedAt is not { } opened || view.TakenAt - opened < t.QuietDataTime)
            return null;
        bool sent = lastIn is { } i && i >= opened;
        bool answered = lastOut is { } o && o >= opened;
        bool isIPv4 = ncp.Protocol == PppProtocol.Ipcp;
        if (!sent)
        {
            return new PppoeFinding(
                isIPv4 ? FindingSeverity.Warning : FindingSeverity.Info,
                isIPv4 ? PppoeFindingCodes.IPv4NotSentByClient : PppoeFindingCodes.IPv6NotSentByClient,
                Invariant($"{family} over PPPoE has been up for {Seconds(opened, view.TakenAt)} s and the client has sent no {family} through it."),
                $"On the client, route {family} through the PPPoE connection (use it as the default gateway) and check its firewall.")
            { Parameters = FindingParameters.Of(("family", family), ("seconds", Seconds(opened, view.TakenAt))) };
        }
        if (answered)
            return null;
        return new PppoeFinding(
            isIPv4 ? FindingSeverity.Error : FindingSeverity.Warning,
            isIPv4 ? PppoeFindingCodes.IPv4Unanswered : PppoeFindingCodes.IPv6Unanswered,
            Invariant($"The client has sent {family} over PPPoE for {Seconds(opened, view.TakenAt)} s and nothing came back."),
            "Check the uplink port's Out drops and the ISP side: redial to get a fresh address, and if it persists ask the ISP whether the address is routed.")
        { Parameters = FindingParameters.Of(("family", family), ("seconds", Seconds(opened, view.TakenAt))) };
    }

    private static PppoeFinding? OversizeFromClient(PortCountersSnapshot? clientPort)
    {
        long dropped = clientPort?.In.Drops(DropReason.Oversize) ?? 0;
        if (dropped == 0)
            return null;
        return new PppoeFinding(
            FindingSeverity.Warning,
            PppoeFindingCodes.OversizeFramesDropped,
            Invariant($"{dropped} frame(s) from the client were larger than the largest frame the appliance carries (1514 bytes untagged at MTU 1500) and were dropped as oversize."),
            "Set the client's PPPoE MTU to 1492 or less and its VPN adapter's MTU to 1500; raise the appliance's MTU only if the ISP supports larger PPPoE frames (RFC 4638).")
        { Parameters = FindingParameters.Of((FindingParameters.Variant, "from-client"), ("dropped", dropped)) };
    }

    private static PppoeFinding? OversizeFromUplink(PortCountersSnapshot? uplinkPort)
    {
        long dropped = uplinkPort?.In.Drops(DropReason.Oversize) ?? 0;
        if (dropped == 0)
            return null;
        return new PppoeFinding(
            FindingSeverity.Warning,
            PppoeFindingCodes.OversizeFramesDropped,
            Invariant($"{dropped} frame(s) from the ISP side were larger than the largest frame the appliance carries and were dropped as oversize on the uplink."),
            "Match the appliance's MTU to the uplink (the ISP uses larger PPPoE frames, RFC 4638), or have the clients negotiate an MRU of 1492.")
        { Parameters = FindingParameters.Of((FindingParameters.Variant, "from-uplink"), ("dropped", dropped)) };
    }
}

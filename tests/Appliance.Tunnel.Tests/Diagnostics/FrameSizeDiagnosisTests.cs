using Appliance.Tunnel.Diagnostics;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;

namespace Appliance.Tunnel.Tests.Diagnostics;

/// <summary>
/// Issue 12: the diagnosis reasons from the sizes the missing frames must have had and the sizes of the PPPoE session frames that
/// do arrive, per direction, on a pppd-like dial-up with the fault between the client and its port.
/// </summary>
public sealed class FrameSizeDiagnosisTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private static (SessionReplay Replay, DialUpSimulation Dialup) Dial(Func<SessionReplay, DialUpSimulation> setUp)
    {
        var replay = new SessionReplay();
        var dialup = setUp(replay);
        dialup.Dial();
        return (replay, dialup);
    }

    /// <summary>Runs the session for <paramref name="duration"/>, diagnosing every second as the agent does.</summary>
    private static List<(TimeSpan At, IReadOnlyList<PppoeFinding> Findings)> Watch(SessionReplay replay, DialUpSimulation dialup, TimeSpan duration)
    {
        var timeline = new List<(TimeSpan, IReadOnlyList<PppoeFinding>)>();
        for (var at = TimeSpan.Zero; at <= duration; at += Second)
        {
            timeline.Add((at, replay.Findings()));
            dialup.RunFor(Second);
        }
        return timeline;
    }

    private static PppoeFinding FirstError(List<(TimeSpan At, IReadOnlyList<PppoeFinding> Findings)> timeline, out TimeSpan at)
    {
        foreach (var (time, findings) in timeline)
        {
            foreach (var f in findings)
            {
                if (f.Severity == FindingSeverity.Error)
                {
                    at = time;
                    return f;
                }
            }
        }
        throw new Xunit.Sdk.XunitException("no finding of error severity");
    }

    private static void AssertNeverAnyOtherError(List<(TimeSpan At, IReadOnlyList<PppoeFinding> Findings)> timeline, string code)
    {
        foreach (var (at, findings) in timeline)
        {
            foreach (var f in findings)
                Assert.False(f.Severity == FindingSeverity.Error && f.Code != code, $"at {at}: wrong error finding {f.Code}: {f.Explanation}");
        }
    }

    /// <summary>Once the finding appears it stays in every later diagnosis.</summary>
    private static void AssertDoesNotFlap(List<(TimeSpan At, IReadOnlyList<PppoeFinding> Findings)> timeline, string code)
    {
        bool seen = false;
        foreach (var (at, findings) in timeline)
        {
            bool present = findings.Any(f => f.Code == code);
            Assert.False(seen && !present, $"{code} disappeared at {at}");
            seen |= present;
        }
        Assert.True(seen);
    }

    [Fact]
    public void The_field_case_session_frames_under_34_bytes_from_the_client_dropped_and_its_32_byte_padi_passing_is_short_frame_loss()
    {
        var (replay, dialup) = Dial(r => new DialUpSimulation(r) { DropFromClientBelow = 34 });

        dialup.RunFor(TimeSpan.FromSeconds(32));

        var view = replay.View();
        Assert.Equal(1, view.In.ShortFrames); // the 32-byte PADI: a discovery frame, no evidence about the session path
        Assert.True(view.In.SmallestSessionFrame >= 34);
        Assert.True(view.Ipv6cp.IsOpened);
        var findings = replay.Findings();
        Assert.DoesNotContain(findings, f => f.Code == PppoeFindingCodes.IpcpUnansweredByClient);
        Assert.DoesNotContain(findings, f => f.Code == PppoeFindingCodes.LcpEchoUnansweredByClient);
        var finding = findings[0];
        Assert.Equal(PppoeFindingCodes.ShortFramesLostFromClient, finding.Code);
        Assert.Equal(FindingSeverity.Error, finding.Severity);
        Assert.Equal(34, finding.SizeThreshold);
        Assert.StartsWith("Frames shorter than 34 bytes from the client never arrive", finding.Explanation, StringComparison.Ordinal);
        Assert.Contains("TAP-Windows6 to 9.25", finding.Fix, StringComparison.Ordinal);
        // The ISP's one-option IPCP request is acknowledged with the same 32 bytes; each 30-byte Echo-Request with a 30-byte reply.
        Assert.Contains(new LostFrame(SessionSide.Client, PppProtocol.Ipcp, PppControlCode.ConfigureAck, 1, 32), finding.Evidence);
        Assert.Contains(finding.Evidence, f => f.Protocol == PppProtocol.Lcp && f.Code == PppControlCode.EchoReply && f.Size == 30);
        Assert.All(finding.Evidence, f => Assert.True(f.Size < 34));
        Assert.Contains("IPCP Configure-Ack (id 1, 32 bytes)", finding.Explanation, StringComparison.Ordinal);
        Assert.Contains("LCP Echo-Replies (30 bytes)", finding.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void The_field_case_is_named_within_a_minute_no_wrong_error_appears_and_the_finding_does_not_flap()
    {
        var (replay, dialup) = Dial(r => new DialUpSimulation(r) { DropFromClientBelow = 34 });

        var timeline = Watch(replay, dialup, TimeSpan.FromMinutes(3));

        var first = FirstError(timeline, out var at);
        Assert.Equal(PppoeFindingCodes.ShortFramesLostFromClient, first.Code);
        Assert.True(at < TimeSpan.FromSeconds(60), $"named after {at}");
        AssertNeverAnyOtherError(timeline, PppoeFindingCodes.ShortFramesLostFromClient);
        AssertDoesNotFlap(timeline, PppoeFindingCodes.ShortFramesLostFromClient);
    }

    [Fact]
    public void Every_frame_under_34_bytes_from_the_client_dropped_discovery_included_is_the_same_fault()
    {
        var (replay, dialup) = Dial(r => new DialUpSimulation(r) { DropFromClientBelow = 34, DropDiscoveryFromClientToo = true, PadiSize = 40 });

        var timeline = Watch(replay, dialup, TimeSpan.FromMinutes(2));

        Assert.Equal(0, replay.View().In.ShortFrames);
        var first = FirstError(timeline, out _);
        Assert.Equal(PppoeFindingCodes.ShortFramesLostFromClient, first.Code);
        Assert.Equal(34, first.SizeThreshold);
        AssertNeverAnyOtherError(timeline, PppoeFindingCodes.ShortFramesLostFromClient);
    }

    [Fact]
    public void Frames_under_34_bytes_toward_the_client_dropped_are_named_as_loss_toward_the_client()
    {
        var (replay, dialup) = Dial(r => new DialUpSimulation(r) { DropTowardClientBelow = 34 });

        var timeline = Watch(replay, dialup, TimeSpan.FromMinutes(2));

        var first = FirstError(timeline, out var at);
        Assert.Equal(PppoeFindingCodes.ShortFramesLostTowardClient, first.Code);
        Assert.True(at < TimeSpan.FromSeconds(60), $"named after {at}");
        Assert.Equal(34, first.SizeThreshold);
        Assert.StartsWith("Frames shorter than 34 bytes sent towards the client never reach it", first.Explanation, StringComparison.Ordinal);
        // The ISP's 32-byte IPCP Configure-Ack to the client's request: the client repeated that request, same identifier.
        Assert.Contains(new LostFrame(SessionSide.Isp, PppProtocol.Ipcp, PppControlCode.ConfigureAck, 1, 32), first.Evidence);
        AssertNeverAnyOtherError(timeline, PppoeFindingCodes.ShortFramesLostTowardClient);
        AssertDoesNotFlap(timeline, PppoeFindingCodes.ShortFramesLostTowardClient);
    }

    [Fact]
    public void Every_frame_under_60_bytes_from_the_client_dropped_is_short_frame_loss_bounded_by_its_discovery_frames_though_lcp_never_opens()
    {
        // A driver refusing runts: the client's 36-byte LCP Configure-Request and 40-byte Configure-Ack never arrive, its 62-byte PADI
        // (a 30-byte Service-Name) and 64-byte PADR do; not one session frame comes, so only discovery sizes bound the cut.
        var (replay, dialup) = Dial(r => new DialUpSimulation(r) { DropFromClientBelow = 60, DropDiscoveryFromClientToo = true, PadiSize = 62, PadrSize = 64 });

        var timeline = Watch(replay, dialup, TimeSpan.FromMinutes(2));

        var view = replay.View();
        Assert.Equal(0, view.In.SessionFrames);
        Assert.False(view.Lcp.WasOpened);
        Assert.Equal(62, view.In.SmallestDiscoveryFrame);
        var first = FirstError(timeline, out var at);
        Assert.Equal(PppoeFindingCodes.ShortFramesLostFromClient, first.Code);
        Assert.True(at < TimeSpan.FromSeconds(60), $"named after {at}");
        Assert.Equal(60, first.SizeThreshold);
        Assert.Contains("between 41 and 62 bytes", first.Explanation, StringComparison.Ordinal);
        Assert.Equal(("no-session-frame", "41", "62"), (first.Parameters!["variant"], first.Parameters["lowerBound"], first.Parameters["smallestDiscovery"]));
        Assert.Contains(new LostFrame(SessionSide.Client, PppProtocol.Lcp, PppControlCode.ConfigureAck, 1, 40), first.Evidence);
        AssertNeverAnyOtherError(timeline, PppoeFindingCodes.ShortFramesLostFromClient);
        AssertDoesNotFlap(timeline, PppoeFindingCodes.ShortFramesLostFromClient);
        Assert.Null(FrameSizeProbeTarget.For(view, out string refusal));
        Assert.Contains("LCP never opened", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void The_probe_is_refused_with_its_reason_before_a_session_exists()
    {
        var (replay, dialup) = Dial(r => new DialUpSimulation(r) { DropFromClientBelow = 2000, DropDiscoveryFromClientToo = true });

        Assert.Null(FrameSizeProbeTarget.For(replay.View(), out string noSession));
        Assert.Contains("no PPPoE session was set up, so no LCP link is Opened", noSession, StringComparison.Ordinal);
        Assert.Contains("0 PADI", noSession, StringComparison.Ordinal); // its PADI was dropped too
    }

    [Fact]
    public void No_session_frame_from_the_client_is_no_size_finding_when_its_discovery_frames_are_no_longer_than_the_missing_answers()
    {
        // Session frames of every size lost (an EtherType filter), discovery passing: its 32-byte PADI is shorter than the missing
        // 40-byte LCP Configure-Ack, so no size explains the loss.
        var (replay, dialup) = Dial(r => new DialUpSimulation(r) { DropFromClientBelow = 2000 });

        var timeline = Watch(replay, dialup, TimeSpan.FromMinutes(1));

        Assert.Equal(0, replay.View().In.SessionFrames);
        foreach (var (at, findings) in timeline)
            Assert.DoesNotContain(findings, f => f.Code == PppoeFindingCodes.ShortFramesLostFromClient);
    }

    [Fact]
    public void A_client_with_ipv4_off_is_named_as_such_and_never_as_short_frame_loss()
    {
        var (replay, dialup) = Dial(r => new DialUpSimulation(r) { ClientIPv4 = false });

        var timeline = Watch(replay, dialup, TimeSpan.FromMinutes(2));

        Assert.Equal(SessionSide.Client, replay.View().Ipcp.RefusedBy);
        var finding = Assert.Single(replay.Findings());
        Assert.Equal(PppoeFindingCodes.IPv6Only, finding.Code);
        Assert.Contains("refused IPv4", finding.Explanation, StringComparison.Ordinal);
        Assert.Contains("Enable IPv4", finding.Fix, StringComparison.Ordinal);
        foreach (var (at, findings) in timeline)
        {
            Assert.DoesNotContain(findings, f => f.Code is PppoeFindingCodes.ShortFramesLostFromClient or PppoeFindingCodes.ShortFramesLostTowardClient
                or PppoeFindingCodes.IpcpUnansweredByClient);
            Assert.DoesNotContain(findings, f => f.Severity == FindingSeverity.Error);
        }
    }

    [Fact]
    public void A_healthy_dial_up_gives_no_finding_at_any_time()
    {
        var (replay, dialup) = Dial(r => new DialUpSimulation(r));

        var timeline = Watch(replay, dialup, TimeSpan.FromMinutes(2));

        Assert.True(replay.View().Ipcp.IsOpened);
        foreach (var (at, findings) in timeline)
            Assert.True(findings.Count == 0, $"at {at}: {string.Join(", ", findings.Select(f => f.Code))}");
    }

    [Fact]
    public void Answers_that_arrive_late_but_within_the_timeout_are_not_missing()
    {
        var replay = new SessionReplay();
        replay.Frames(SyntheticSession.UpToNcps());
        replay.Frame(SyntheticSession.Ppp(FrameDirection.Outbound, PppProtocols.LcpValue, PppControlCode.EchoRequest, 40, optionBytes: 4));
        replay.Wait(PppoeDiagnosisThresholds.Default.AnswerTimeout - TimeSpan.FromMilliseconds(100));
        Assert.Single(replay.View().AnswersOwedByClient);

        replay.Frame(SyntheticSession.Ppp(FrameDirection.Inbound, PppProtocols.LcpValue, PppControlCode.EchoReply, 40, optionBytes: 4));

        Assert.Empty(replay.View().AnswersOwedByClient);
    }

    [Fact]
    public void The_expected_size_of_an_answer_is_the_requests_ppp_content_without_the_wires_padding()
    {
        var replay = new SessionReplay();
        replay.Frames(SyntheticSession.UpToNcps());
        // The ISP's 32-byte IPCP request, padded to the Ethernet minimum on its wire.
        var padded = new byte[60];
        SessionReplay.IspIpcpConfigureRequest(7, SyntheticSession.SessionId).CopyTo(padded, 0);
        replay.Frame(padded);

        var owed = Assert.Single(replay.View().AnswersOwedByClient);
        Assert.Equal(32, owed.ExpectedSize);
        Assert.Equal(60, owed.RequestSize);
        Assert.Equal(PppControlCode.ConfigureAck, owed.Code);
    }

    [Fact]
    public void An_isp_lcp_request_whose_length_field_is_shorter_than_its_header_is_read_without_a_magic_number()
    {
        var replay = new SessionReplay();
        replay.Frames(SyntheticSession.Discover());
        var request = SyntheticSession.Ppp(FrameDirection.Outbound, PppProtocols.LcpValue, PppControlCode.ConfigureRequest, 1, optionBytes: 0);
        request[24] = 0;
        request[25] = 2;

        replay.Frame(request);

        Assert.Null(replay.View().IspMagicNumber);
    }

    [Fact]
    public void The_isps_magic_number_is_read_from_its_lcp_configure_request()
    {
        var replay = new SessionReplay();
        replay.Frames(SessionReplay.Capture("pppoe-pap"));

        Assert.NotNull(replay.View().IspMagicNumber);
        Assert.NotEqual(0u, replay.View().IspMagicNumber);
    }
}

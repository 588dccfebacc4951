using Appliance.Tunnel.Diagnostics;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;
using Appliance.Tunnel.Tests.Support;
using Appliance.Tunnel.Tests.Switching;
using static Appliance.Tunnel.Tests.Diagnostics.SyntheticSession;

namespace Appliance.Tunnel.Tests.Diagnostics;

/// <summary>Each rule of <see cref="PppoeDiagnosis"/>: it fires on its fault, says what and how to fix it, and holds back while things are still in progress.</summary>
public sealed class PppoeDiagnosisRuleTests
{
    private const FrameDirection In = FrameDirection.Inbound;
    private const FrameDirection Out = FrameDirection.Outbound;

    private static PppoeFinding Only(SessionReplay replay, string code)
    {
        var finding = Assert.Single(replay.Findings());
        Assert.Equal(code, finding.Code);
        Assert.False(string.IsNullOrWhiteSpace(finding.Explanation));
        Assert.False(string.IsNullOrWhiteSpace(finding.Fix));
        return finding;
    }

    [Fact]
    public void Padis_without_any_pado_mean_no_access_concentrator_answers()
    {
        var replay = new SessionReplay();
        for (int i = 0; i < 3; i++)
        {
            replay.Frame(Discovery(In, PppoeDiscoveryCode.Padi));
            replay.Wait(TimeSpan.FromSeconds(1));
        }

        var finding = Only(replay, PppoeFindingCodes.NoAccessConcentrator);
        Assert.Equal(FindingSeverity.Error, finding.Severity);
        Assert.Contains("3 PADI", finding.Explanation, StringComparison.Ordinal);
        Assert.Contains("VLAN", finding.Fix, StringComparison.Ordinal);
        Assert.Contains("cable", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_first_padi_just_sent_is_not_yet_a_fault()
    {
        var replay = new SessionReplay();
        replay.Frame(Discovery(In, PppoeDiscoveryCode.Padi));

        Assert.Empty(replay.Findings());
        Assert.Equal(PppoeDiscoveryState.PadiSent, replay.View().Discovery.State);
    }

    [Fact]
    public void A_single_padi_unanswered_past_the_timeout_is_a_fault()
    {
        var replay = new SessionReplay();
        replay.Frame(Discovery(In, PppoeDiscoveryCode.Padi));
        replay.Wait(PppoeDiagnosisThresholds.Default.DiscoveryTimeout);

        Only(replay, PppoeFindingCodes.NoAccessConcentrator);
    }

    [Fact]
    public void An_offer_the_client_never_requests_points_at_its_service_name()
    {
        var replay = new SessionReplay();
        replay.Frame(Discovery(In, PppoeDiscoveryCode.Padi));
        replay.Frame(Discovery(Out, PppoeDiscoveryCode.Pado));
        replay.Wait(TimeSpan.FromSeconds(6));

        var finding = Only(replay, PppoeFindingCodes.OfferIgnoredByClient);
        Assert.Contains("service name", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pads_with_service_name_error_is_the_access_concentrator_refusing_the_service_name()
    {
        var replay = new SessionReplay();
        replay.Frame(Discovery(In, PppoeDiscoveryCode.Padi));
        replay.Frame(Discovery(Out, PppoeDiscoveryCode.Pado));
        replay.Frame(Discovery(In, PppoeDiscoveryCode.Padr));
        replay.Frame(Discovery(Out, PppoeDiscoveryCode.Pads, 0, ServiceNameErrorTag));

        var view = replay.View();
        Assert.Equal(PppoeDiscoveryState.Refused, view.Discovery.State);
        Assert.Equal(PppoeErrorTags.ServiceNameError, view.Discovery.SessionErrors);
        Assert.Null(view.Discovery.SessionId);
        var finding = Only(replay, PppoeFindingCodes.AccessConcentratorRefuses);
        Assert.Equal(FindingSeverity.Error, finding.Severity);
        Assert.Contains("Service-Name-Error", finding.Explanation, StringComparison.Ordinal);
        Assert.Contains("service name", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pads_with_ac_system_error_advises_waiting_for_a_free_session()
    {
        var replay = new SessionReplay();
        replay.Frames(Discover().Take(3));
        replay.Frame(Discovery(Out, PppoeDiscoveryCode.Pads, 0, AcSystemErrorTag));

        var finding = Only(replay, PppoeFindingCodes.AccessConcentratorRefuses);
        Assert.Contains("AC-System-Error", finding.Explanation, StringComparison.Ordinal);
        Assert.Contains("redial", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Padrs_without_a_pads_are_the_access_concentrator_refusing()
    {
        var replay = new SessionReplay();
        replay.Frames(Discover().Take(2));
        for (int i = 0; i < 3; i++)
        {
            replay.Frame(Discovery(In, PppoeDiscoveryCode.Padr));
            replay.Wait(TimeSpan.FromSeconds(1));
        }

        var finding = Only(replay, PppoeFindingCodes.AccessConcentratorRefuses);
        Assert.Contains("3 time(s) (PADR)", finding.Explanation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pppoe-pap", PppProtocols.PapValue, 2, 3)]
    [InlineData("pppoe-chap", PppProtocols.ChapValue, 3, 4)]
    public void A_rejected_login_is_a_wrong_isp_user_or_password_and_neither_is_ever_printed(string capture, ushort protocol, byte success, byte failure)
    {
        var replay = new SessionReplay();
        foreach (var recorded in SessionReplay.UpToHangUp(capture))
        {
            var frame = (byte[])recorded.Clone();
            var info = FrameClassifier.Classify(frame);
            // The ISP says no instead of yes (PAP Authenticate-Nak, CHAP Failure); then LCP goes on as recorded.
            if (info.PppProtocolValue == protocol && info.PppCode == success)
                frame[22] = failure;
            replay.Frame(frame);
        }

        var view = replay.View();
        Assert.Equal(AuthenticationOutcome.Failed, view.Authentication.Outcome);
        var finding = replay.Findings().Single(f => f.Code == PppoeFindingCodes.AuthenticationFailed);
        Assert.Equal(FindingSeverity.Error, finding.Severity);
        Assert.Contains("password", finding.Fix, StringComparison.Ordinal);
        // The capture's throw-away credentials (user "vector", password "vector-test-only", Vectors/README.md).
        foreach (var text in new[] { finding.Explanation, finding.Fix, view.ToString() })
            Assert.DoesNotContain("vector", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_rejected_login_stays_named_while_the_client_redials_until_a_login_succeeds()
    {
        // Fault matrix case 7: pppd with a wrong password redials at once; each new PADI starts an attempt with no verdict yet.
        var replay = new SessionReplay();
        replay.Frames(Discover());
        replay.Frame(Pap(In, 1));
        replay.Frame(Pap(Out, 3));
        Assert.Equal(PppoeFindingCodes.AuthenticationFailed, Only(replay, PppoeFindingCodes.AuthenticationFailed).Code);

        replay.Wait(TimeSpan.FromSeconds(1));
        replay.Frames(Discover());
        replay.Frame(Pap(In, 1));
        var redialling = Only(replay, PppoeFindingCodes.AuthenticationFailed);
        Assert.Contains("1 dial-up(s) in a row refused", redialling.Explanation, StringComparison.Ordinal);

        replay.Frame(Pap(Out, 3));
        replay.Frames(Discover());
        Assert.Contains("2 dial-up(s) in a row refused", Only(replay, PppoeFindingCodes.AuthenticationFailed).Explanation, StringComparison.Ordinal);

        replay.Frame(Pap(In, 1));
        replay.Frame(Pap(Out, 2));
        Assert.DoesNotContain(replay.Findings(), f => f.Code == PppoeFindingCodes.AuthenticationFailed);
    }

    [Fact]
    public void Session_frames_flooded_towards_another_subscribers_mac_never_make_a_dialling_client_join_that_session()
    {
        // Fault matrix case 8: the client's PADIs go unanswered while the uplink floods the ISP's frames for a subscriber that left
        // (unknown unicast) to every session port. Joining that session would silence no-access-concentrator.
        var replay = new SessionReplay();
        var elsewhere = MacAddress.Parse("02:00:5e:77:00:09");
        for (int i = 0; i < 3; i++)
        {
            replay.Frame(Discovery(In, PppoeDiscoveryCode.Padi));
            var flooded = Ppp(Out, PppProtocols.LcpValue, PppControlCode.ConfigureRequest, (byte)(i + 1), sessionId: 10);
            elsewhere.Write(flooded);
            replay.Frame(flooded);
            replay.Wait(TimeSpan.FromSeconds(2));
        }

        var view = replay.View();
        Assert.Null(view.Discovery.SessionId);
        Assert.Equal(3, view.ForeignSessionFrames);
        Assert.Equal(FindingSeverity.Error, Only(replay, PppoeFindingCodes.NoAccessConcentrator).Severity);
    }

    [Fact]
    public void The_clients_unanswered_lcp_echoes_mean_the_link_to_the_isp_is_dead()
    {
        var replay = new SessionReplay();
        replay.Frames(UpToNcps());
        for (byte id = 1; id <= 3; id++)
        {
            replay.Frame(Ppp(In, PppProtocols.LcpValue, PppControlCode.EchoRequest, id, optionBytes: 4));
            replay.Wait(TimeSpan.FromSeconds(1));
        }

        var finding = Only(replay, PppoeFindingCodes.LcpEchoUnansweredByIsp);
        Assert.Equal(FindingSeverity.Error, finding.Severity);
        Assert.Contains("dead", finding.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void An_echo_reply_clears_the_unanswered_count()
    {
        var replay = new SessionReplay();
        replay.Frames(UpToNcps());
        for (byte id = 1; id <= 3; id++)
            replay.Frame(Ppp(In, PppProtocols.LcpValue, PppControlCode.EchoRequest, id, optionBytes: 4));
        replay.Frame(Ppp(Out, PppProtocols.LcpValue, PppControlCode.EchoReply, 3, optionBytes: 4));

        Assert.Equal(0, replay.View().Lcp.Client.UnansweredEchoes);
        Assert.Empty(replay.Findings());
    }

    [Fact]
    public void The_isps_unanswered_echoes_with_the_clients_short_frames_arriving_mean_the_client_is_gone()
    {
        var replay = new SessionReplay();
        replay.Frames(SessionReplay.UpToHangUp("pppoe-pap"));
        for (byte id = 20; id < 23; id++)
            replay.Frame(Ppp(Out, PppProtocols.LcpValue, PppControlCode.EchoRequest, id, optionBytes: 4, sessionId: 1));

        var finding = Only(replay, PppoeFindingCodes.LcpEchoUnansweredByClient);
        Assert.Equal(FindingSeverity.Warning, finding.Severity);
    }

    [Fact]
    public void The_isps_unanswered_echoes_while_only_large_client_frames_arrive_are_the_short_frame_fault()
    {
        var replay = new SessionReplay();
        replay.Frames(UpToNcps());
        replay.Frames(Open(PppProtocols.Ipv6cpValue));
        for (byte id = 1; id <= 3; id++)
            replay.Frame(Ppp(Out, PppProtocols.LcpValue, PppControlCode.EchoRequest, id, optionBytes: 4));
        // An answer counts as missing once it is overdue; the client's later 98-byte frame shows it alive.
        replay.Wait(PppoeDiagnosisThresholds.Default.AnswerTimeout);
        replay.Frame(Data(In, PppProtocols.IPv6Value));

        Assert.Equal(0, replay.View().In.ShortFrames);
        var finding = replay.Findings()[0];
        Assert.Equal(PppoeFindingCodes.ShortFramesLostFromClient, finding.Code);
        Assert.Equal(3, finding.Evidence.Count(f => f.Code == PppControlCode.EchoReply && f.Size == 30));
    }

    [Fact]
    public void Ipcp_opened_without_any_ipv4_from_the_client_says_to_route_ipv4_over_pppoe()
    {
        var replay = new SessionReplay();
        replay.Frames(UpToNcps());
        replay.Frames(Open(PppProtocols.IpcpValue));
        replay.Frames(Open(PppProtocols.Ipv6cpValue));
        replay.Frame(Data(In, PppProtocols.IPv6Value));
        replay.Frame(Data(Out, PppProtocols.IPv6Value));
        Assert.Empty(replay.Findings());

        replay.Wait(TimeSpan.FromSeconds(31));
        replay.Frame(Data(In, PppProtocols.IPv6Value));
        replay.Frame(Data(Out, PppProtocols.IPv6Value));

        var finding = Only(replay, PppoeFindingCodes.IPv4NotSentByClient);
        Assert.Contains("default gateway", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Ipv4_sent_and_nothing_back_is_an_error()
    {
        var replay = new SessionReplay();
        replay.Frames(UpToNcps());
        replay.Frames(Open(PppProtocols.IpcpValue));
        replay.Frame(Data(In, PppProtocols.IPv4Value));
        replay.Wait(TimeSpan.FromSeconds(31));
        replay.Frame(Data(In, PppProtocols.IPv4Value));

        var findings = replay.Findings();
        Assert.Equal(PppoeFindingCodes.IPv4Unanswered, findings[0].Code);
        Assert.Equal(FindingSeverity.Error, findings[0].Severity);
        Assert.Contains(findings, f => f.Code == PppoeFindingCodes.IPv4Only);
    }

    [Fact]
    public void Ipv4_both_ways_after_ipcp_opened_is_no_finding()
    {
        var replay = new SessionReplay();
        replay.Frames(UpToNcps());
        replay.Frames(Open(PppProtocols.IpcpValue));
        replay.Frames(Open(PppProtocols.Ipv6cpValue));
        replay.Wait(TimeSpan.FromSeconds(31));
        foreach (var protocol in new[] { PppProtocols.IPv4Value, PppProtocols.IPv6Value })
        {
            replay.Frame(Data(In, protocol));
            replay.Frame(Data(Out, protocol));
        }

        Assert.Empty(replay.Findings());
    }

    [Fact]
    public void Ipv6cp_alone_with_no_ipcp_at_all_means_ipv4_is_turned_off_on_the_client()
    {
        var replay = new SessionReplay();
        replay.Frames(UpToNcps());
        replay.Frames(Open(PppProtocols.Ipv6cpValue));
        replay.Wait(TimeSpan.FromSeconds(11));

        var finding = Only(replay, PppoeFindingCodes.IPv6Only);
        Assert.Contains("IPv4", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Ipv6cp_alone_after_the_isp_rejected_ipcp_sends_the_operator_to_the_isp()
    {
        var replay = new SessionReplay();
        replay.Frames(UpToNcps());
        replay.Frame(Ppp(In, PppProtocols.IpcpValue, PppControlCode.ConfigureRequest, 1));
        replay.Frame(Ppp(Out, PppProtocols.IpcpValue, PppControlCode.ConfigureReject, 1));
        replay.Frames(Open(PppProtocols.Ipv6cpValue));
        replay.Wait(TimeSpan.FromSeconds(11));

        var finding = Only(replay, PppoeFindingCodes.IPv6Only);
        Assert.Contains("ISP", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversize_drops_on_the_clients_port_give_mtu_advice()
    {
        using var fixture = new SwitchFixture();
        var tracker = new PppoeSessionTracker(fixture.Time);
        fixture.SessionA.Observer = tracker;
        var full = FrameBuilder.PppoeIPv4(FrameBuilder.Concentrator, FrameBuilder.ClientA, 1514);
        var tooLarge = FrameBuilder.PppoeIPv4(FrameBuilder.Concentrator, FrameBuilder.ClientA, 1522);
        fixture.Switch.Forward(fixture.SessionA, full);
        fixture.Switch.Forward(fixture.SessionA, tooLarge);

        var findings = PppoeDiagnosis.Diagnose(tracker.Snapshot(), fixture.SessionA.Counters.Snapshot());

        var finding = Assert.Single(findings);
        Assert.Equal(PppoeFindingCodes.OversizeFramesDropped, finding.Code);
        Assert.Contains("1 frame(s) from the client", finding.Explanation, StringComparison.Ordinal);
        Assert.Contains("1492", finding.Fix, StringComparison.Ordinal);
        Assert.Equal(1522, tracker.Snapshot().In.LargestFrame);
    }

    [Fact]
    public void Oversize_drops_on_the_uplink_give_mtu_advice_for_the_uplink()
    {
        using var fixture = new SwitchFixture();
        fixture.Switch.Forward(fixture.Uplink, FrameBuilder.PppoeIPv4(FrameBuilder.ClientA, FrameBuilder.Concentrator, 1530));

        var findings = PppoeDiagnosis.Diagnose(new PppoeSessionTracker(fixture.Time).Snapshot(), fixture.SessionA.Counters.Snapshot(), fixture.Uplink.Counters.Snapshot());

        var finding = Assert.Single(findings);
        Assert.Equal(PppoeFindingCodes.OversizeFramesDropped, finding.Code);
        Assert.Contains("ISP side", finding.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Findings_come_most_severe_first()
    {
        var replay = new SessionReplay();
        replay.Frames(UpToNcps());
        replay.Frames(Open(PppProtocols.IpcpValue));
        replay.Frame(Data(In, PppProtocols.IPv4Value));
        replay.Wait(TimeSpan.FromSeconds(31));
        replay.Frame(Data(In, PppProtocols.IPv4Value));

        var severities = replay.Findings().Select(f => f.Severity).ToList();
        Assert.True(severities.Count >= 2);
        Assert.Equal(severities.OrderByDescending(s => s), severities);
    }

    [Fact]
    public void Every_finding_code_is_stable_kebab_case_and_unique()
    {
        var codes = typeof(PppoeFindingCodes).GetFields().Select(f => (string)f.GetValue(null)!).ToList();

        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.All(codes, c => Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", c));
        Assert.Contains("short-frames-lost-from-client", codes);
    }
}

using Appliance.Tunnel.Diagnostics;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;

namespace Appliance.Tunnel.Tests.Diagnostics;

/// <summary>
/// The field case this product comes from (docs/ORIGIN.md), replayed: the real PAP exchange as the ISP saw it when
/// the client's Windows TAP driver dropped every frame shorter than 34 bytes, with the ISP re-sending its IPCP
/// Configure-Request every 3 s for want of the client's 32-byte Configure-Ack.
/// </summary>
public sealed class OriginCaseReplayTests
{
    private static readonly TimeSpan IspRestartTimer = TimeSpan.FromSeconds(3);

    private static SessionReplay ReplayThroughFaultyDriver(params byte[] retransmittedIdentifiers)
    {
        var replay = new SessionReplay();
        replay.Frames(SessionReplay.WithoutShortClientFrames(SessionReplay.UpToHangUp("pppoe-pap")));
        foreach (byte identifier in retransmittedIdentifiers)
        {
            replay.Wait(IspRestartTimer);
            replay.Frame(SessionReplay.IspIpcpConfigureRequest(identifier));
        }
        return replay;
    }

    [Fact]
    public void Diagnosis_names_the_short_frame_fault_and_the_tap_windows6_update()
    {
        var replay = ReplayThroughFaultyDriver(2, 2, 2, 2);

        var findings = replay.Findings();

        var finding = Assert.Single(findings);
        Assert.Equal(PppoeFindingCodes.ShortFramesLostFromClient, finding.Code);
        Assert.Equal(FindingSeverity.Error, finding.Severity);
        Assert.Contains("34 bytes", finding.Explanation, StringComparison.Ordinal);
        Assert.Contains("IPCP Configure-Ack", finding.Explanation, StringComparison.Ordinal);
        Assert.Contains("IPv6CP", finding.Explanation, StringComparison.Ordinal);
        Assert.Contains("TAP-Windows6", finding.Fix, StringComparison.Ordinal);
        Assert.Contains("9.25", finding.Fix, StringComparison.Ordinal);
        Assert.Contains("2.6.3-I002", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void View_shows_lcp_and_ipv6cp_opened_and_the_isps_ipcp_requests_unanswered()
    {
        var view = ReplayThroughFaultyDriver(2, 2, 2, 2).View();

        Assert.True(view.Lcp.IsOpened);
        Assert.True(view.Ipv6cp.IsOpened);
        Assert.False(view.Ipcp.IsOpened);
        Assert.Equal(0, view.Ipcp.TimesOpened);
        // The ISP's requests 1 and 2 from the capture, then 4 retransmissions of 2.
        Assert.Equal(6, view.Ipcp.Isp.ConfigureRequests);
        Assert.Equal(6, view.Ipcp.Isp.UnansweredRequests);
        Assert.Equal(4, view.Ipcp.Isp.Retransmissions);
        Assert.False(view.Ipcp.Isp.RequestAcked);
        Assert.Equal(PppNegotiationState.RequestSent, view.Ipcp.Isp.State);
        // Not one of the client's IPCP packets (all 32 bytes) arrived.
        Assert.Equal(0, view.Ipcp.Client.ConfigureRequests);
        Assert.Equal(PppNegotiationState.Initial, view.Ipcp.Client.State);
        Assert.Equal(0, view.In.ShortFrames);
        Assert.True(view.Out.ShortFrames > 0);
    }

    [Fact]
    public void Retransmissions_with_increasing_identifiers_are_diagnosed_the_same()
    {
        var findings = ReplayThroughFaultyDriver(3, 4, 5).Findings();

        Assert.Equal(PppoeFindingCodes.ShortFramesLostFromClient, findings[0].Code);
    }

    [Fact]
    public void Two_unanswered_requests_are_enough_once_the_first_is_older_than_the_time_threshold()
    {
        // Echoes are left out here: the ISP's unanswered 30-byte Echo-Requests point at the fault on their own.
        var ipcpOnly = new PppoeDiagnosisThresholds { UnansweredEchoes = int.MaxValue };
        var replay = ReplayThroughFaultyDriver();
        Assert.Empty(PppoeDiagnosis.Diagnose(replay.View(), thresholds: ipcpOnly));

        replay.Wait(PppoeDiagnosisThresholds.Default.UnansweredIpcpTime);

        Assert.Equal(2, replay.View().Ipcp.Isp.UnansweredRequests);
        var finding = Assert.Single(PppoeDiagnosis.Diagnose(replay.View(), thresholds: ipcpOnly));
        Assert.Equal(PppoeFindingCodes.ShortFramesLostFromClient, finding.Code);
    }

    [Fact]
    public void The_isps_unanswered_lcp_echoes_alone_point_at_the_same_fault_while_larger_frames_keep_coming()
    {
        // The ISP's IPCP requests are left out: only its LCP Echo-Requests go unanswered.
        var replay = new SessionReplay();
        foreach (var frame in SessionReplay.WithoutShortClientFrames(SessionReplay.UpToHangUp("pppoe-pap")))
        {
            if (SessionReplay.DirectionOf(frame) == FrameDirection.Outbound && FrameClassifier.Classify(frame).PppProtocol == PppProtocol.Ipcp)
                continue;
            replay.Frame(frame);
        }
        replay.Wait(PppoeDiagnosisThresholds.Default.AnswerTimeout);
        var view = replay.View();

        // Six Echo-Requests from the ISP, every 30-byte Echo-Reply lost; the client's 126-byte IPv6 pings arrived.
        Assert.Equal(6, view.Lcp.Isp.UnansweredEchoes);
        var finding = Assert.Single(PppoeDiagnosis.Diagnose(view));
        Assert.Equal(PppoeFindingCodes.ShortFramesLostFromClient, finding.Code);
        Assert.Equal(6, finding.Evidence.Count);
        Assert.All(finding.Evidence, f => Assert.Equal((PppControlCode.EchoReply, 30), (f.Code, f.Size)));
        Assert.Contains("6 LCP Echo-Replies (30 bytes)", finding.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_exchange_through_a_healthy_driver_gives_no_finding()
    {
        var replay = new SessionReplay();
        replay.Frames(SessionReplay.UpToHangUp("pppoe-pap"));
        replay.Wait(TimeSpan.FromSeconds(12));

        Assert.Empty(replay.Findings());
    }

    [Fact]
    public void Diagnosis_still_names_the_fault_after_the_client_gives_up_and_hangs_up()
    {
        var replay = ReplayThroughFaultyDriver(2, 2, 2, 2);
        // The client's LCP Terminate-Request (38 bytes) gets through; the ISP's Terminate-Ack and PADT follow.
        replay.Frames(SessionReplay.Capture("pppoe-pap").Skip(59));

        var view = replay.View();
        Assert.Equal(PppoeDiscoveryState.Terminated, view.Discovery.State);
        Assert.Equal(PppoeFindingCodes.ShortFramesLostFromClient, PppoeDiagnosis.Diagnose(view)[0].Code);
    }

    [Fact]
    public void When_the_clients_short_frames_do_arrive_a_silent_ipcp_is_blamed_on_the_client_not_its_driver()
    {
        var replay = new SessionReplay();
        // Only the client's IPCP packets are lost (say, IPv4 turned off); its 30-byte LCP echoes still arrive.
        foreach (var frame in SessionReplay.UpToHangUp("pppoe-pap"))
        {
            var info = FrameClassifier.Classify(frame);
            if (SessionReplay.DirectionOf(frame) == FrameDirection.Inbound && info.PppProtocol == PppProtocol.Ipcp)
                continue;
            replay.Frame(frame);
        }
        for (int i = 0; i < 4; i++)
        {
            replay.Wait(IspRestartTimer);
            replay.Frame(SessionReplay.IspIpcpConfigureRequest(2));
        }

        var finding = Assert.Single(replay.Findings());
        Assert.Equal(PppoeFindingCodes.IpcpUnansweredByClient, finding.Code);
        Assert.Equal(FindingSeverity.Warning, finding.Severity);
    }
}

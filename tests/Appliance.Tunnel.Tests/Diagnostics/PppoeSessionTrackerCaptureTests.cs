using Appliance.Tunnel.Diagnostics;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;

namespace Appliance.Tunnel.Tests.Diagnostics;

/// <summary>The tracker on the real PPPoE exchanges in Vectors/ (pppd and pppoe-server in user-mode-linux).</summary>
public sealed class PppoeSessionTrackerCaptureTests
{
    public static TheoryData<string> Exchanges => ["pppoe-pap", "pppoe-chap"];

    [Theory]
    [MemberData(nameof(Exchanges))]
    public void While_up_lcp_ipcp_and_ipv6cp_are_opened_on_both_ends_with_session_id_1(string capture)
    {
        var replay = new SessionReplay();
        replay.Frames(SessionReplay.UpToHangUp(capture));

        var view = replay.View();
        Assert.Equal(PppoeDiscoveryState.Session, view.Discovery.State);
        Assert.Equal((ushort)1, view.Discovery.SessionId);
        Assert.Equal(SessionReplay.Server, view.Discovery.AccessConcentratorMac);
        Assert.Equal(SessionReplay.Client, view.Discovery.ClientMac);
        Assert.Equal(1, view.Discovery.Attempts);
        Assert.False(view.Discovery.JoinedMidSession);
        foreach (var ncp in new[] { view.Lcp, view.Ipcp, view.Ipv6cp })
        {
            Assert.True(ncp.IsOpened, $"{ncp.Protocol} opened");
            Assert.Equal(1, ncp.TimesOpened);
            Assert.Equal(PppNegotiationState.Opened, ncp.Client.State);
            Assert.Equal(PppNegotiationState.Opened, ncp.Isp.State);
            Assert.True(ncp.Client.RequestAcked);
            Assert.True(ncp.Isp.RequestAcked);
        }
        Assert.Equal(AuthenticationOutcome.Succeeded, view.Authentication.Outcome);
        Assert.Empty(PppoeDiagnosis.Diagnose(view));
    }

    [Theory]
    [MemberData(nameof(Exchanges))]
    public void After_the_client_hangs_up_lcp_and_the_ncps_are_closed_and_the_isps_padt_ends_the_session(string capture)
    {
        var replay = new SessionReplay();
        replay.Frames(SessionReplay.Capture(capture));

        var view = replay.View();
        Assert.Equal(PppoeDiscoveryState.Terminated, view.Discovery.State);
        Assert.Equal(SessionSide.Isp, view.Discovery.TerminatedBy);
        Assert.Equal((ushort)1, view.Discovery.SessionId);
        Assert.Equal(SessionSide.Client, view.Lcp.TerminatedBy);
        Assert.True(view.Lcp.Client.TerminateAcked);
        foreach (var ncp in new[] { view.Lcp, view.Ipcp, view.Ipv6cp })
        {
            Assert.False(ncp.IsOpened, $"{ncp.Protocol} closed");
            Assert.True(ncp.WasOpened, $"{ncp.Protocol} was opened");
            Assert.Equal(PppNegotiationState.Closed, ncp.Client.State);
            Assert.Equal(PppNegotiationState.Closed, ncp.Isp.State);
            Assert.NotNull(ncp.ClosedAt);
        }
        Assert.Empty(PppoeDiagnosis.Diagnose(view));
    }

    [Fact]
    public void Pap_exchange_reads_the_ipcp_nak_and_reject_round_before_the_32_byte_acks()
    {
        var replay = new SessionReplay();
        replay.Frames(SessionReplay.UpToHangUp("pppoe-pap"));

        var ipcp = replay.View().Ipcp;
        // Frames 16–29: the client's request 1 is Nak'd, the ISP's request 1 Rejected, then both requests 2 Acked.
        Assert.Equal(2, ipcp.Client.ConfigureRequests);
        Assert.Equal(1, ipcp.Client.NaksReceived);
        Assert.Equal(2, ipcp.Isp.ConfigureRequests);
        Assert.Equal(1, ipcp.Isp.RejectsReceived);
        Assert.Equal((byte)2, ipcp.Client.LastRequestIdentifier);
        Assert.Equal((byte)2, ipcp.Isp.LastRequestIdentifier);
        Assert.Equal(0, ipcp.Isp.UnansweredRequests);
    }

    [Fact]
    public void Pap_exchange_counts_both_ends_lcp_echoes_and_every_one_is_answered()
    {
        var replay = new SessionReplay();
        replay.Frames(SessionReplay.UpToHangUp("pppoe-pap"));

        var lcp = replay.View().Lcp;
        Assert.Equal(6, lcp.Client.EchoRequests);
        Assert.Equal(6, lcp.Client.EchoRepliesReceived);
        Assert.Equal(6, lcp.Isp.EchoRequests);
        Assert.Equal(6, lcp.Isp.EchoRepliesReceived);
        Assert.Equal(0, lcp.Client.UnansweredEchoes);
        Assert.Equal(0, lcp.Isp.UnansweredEchoes);
        Assert.NotNull(lcp.Isp.LastEchoReplyAt);
        // The client repeated its first LCP Configure-Request (frames 5 and 8, identifier 1).
        Assert.Equal(1, lcp.Client.Retransmissions);
    }

    [Fact]
    public void Chap_exchange_reads_challenge_response_success_and_the_padm()
    {
        var replay = new SessionReplay();
        replay.Frames(SessionReplay.Capture("pppoe-chap"));

        var view = replay.View();
        Assert.Equal(PppProtocol.Chap, view.Authentication.Protocol);
        Assert.Equal(AuthenticationOutcome.Succeeded, view.Authentication.Outcome);
        Assert.Equal(1, view.Authentication.Challenges);
        Assert.Equal(1, view.Authentication.Requests);
        Assert.Equal(1, view.Discovery.Padm);
    }

    [Theory]
    [MemberData(nameof(Exchanges))]
    public void Traffic_counts_what_each_direction_carried(string capture)
    {
        var replay = new SessionReplay();
        replay.Frames(SessionReplay.Capture(capture));

        var view = replay.View();
        int inbound = 0, outbound = 0, shortIn = 0, ipv4In = 0, ipv6Out = 0;
        foreach (var frame in SessionReplay.Capture(capture))
        {
            var info = FrameClassifier.Classify(frame);
            bool fromClient = SessionReplay.DirectionOf(frame) == FrameDirection.Inbound;
            if (fromClient)
            {
                inbound++;
                shortIn += frame.Length < 34 ? 1 : 0;
                ipv4In += info.PppProtocol == PppProtocol.IPv4 ? 1 : 0;
            }
            else
            {
                outbound++;
                ipv6Out += info.PppProtocol == PppProtocol.IPv6 ? 1 : 0;
            }
        }
        Assert.Equal(inbound, view.In.Frames);
        Assert.Equal(outbound, view.Out.Frames);
        Assert.Equal(shortIn, view.In.ShortFrames);
        Assert.True(shortIn > 0);
        Assert.Equal(ipv4In, view.In.IPv4Frames);
        Assert.Equal(ipv6Out, view.Out.IPv6Frames);
    }

    [Fact]
    public void Times_in_the_view_are_the_fake_clocks_wall_times()
    {
        var replay = new SessionReplay();
        var start = replay.Time.GetUtcNow();
        replay.Frames(SessionReplay.UpToHangUp("pppoe-pap"));

        var view = replay.View();
        Assert.Equal(replay.Time.GetUtcNow(), view.TakenAt);
        Assert.Equal(start, view.Discovery.FirstPadiAt);
        Assert.Equal(start + 3 * SessionReplay.FrameSpacing, view.Discovery.SessionAt);
    }

    [Fact]
    public void A_snapshot_is_a_value_that_later_frames_do_not_change()
    {
        var replay = new SessionReplay();
        replay.Frames(SessionReplay.UpToHangUp("pppoe-pap"));
        var before = replay.View();

        replay.Frames(SessionReplay.Capture("pppoe-pap").Skip(59));

        Assert.True(before.Lcp.IsOpened);
        Assert.Equal(PppoeDiscoveryState.Session, before.Discovery.State);
        Assert.False(replay.View().Lcp.IsOpened);
    }
}

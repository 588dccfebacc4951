using Appliance.Tunnel.Diagnostics;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;
using static Appliance.Tunnel.Tests.Diagnostics.SyntheticSession;

namespace Appliance.Tunnel.Tests.Diagnostics;

/// <summary>The tracker's state machines on hand-made sequences: RFC 1661 identifiers, renegotiation, termination, attempts.</summary>
public sealed class PppoeSessionTrackerTests
{
    private const FrameDirection In = FrameDirection.Inbound;
    private const FrameDirection Out = FrameDirection.Outbound;

    [Fact]
    public void An_ack_with_another_identifier_does_not_open_the_protocol()
    {
        var replay = new SessionReplay();
        replay.Frames(Discover());
        replay.Frame(Ppp(In, PppProtocols.LcpValue, PppControlCode.ConfigureRequest, 5));
        replay.Frame(Ppp(Out, PppProtocols.LcpValue, PppControlCode.ConfigureRequest, 9));
        replay.Frame(Ppp(Out, PppProtocols.LcpValue, PppControlCode.ConfigureAck, 4));
        replay.Frame(Ppp(In, PppProtocols.LcpValue, PppControlCode.ConfigureAck, 9));

        var lcp = replay.View().Lcp;
        Assert.False(lcp.IsOpened);
        Assert.Equal(1, lcp.Client.UnmatchedReplies);
        Assert.Equal(PppNegotiationState.AckSent, lcp.Client.State);
        Assert.Equal(PppNegotiationState.AckReceived, lcp.Isp.State);

        replay.Frame(Ppp(Out, PppProtocols.LcpValue, PppControlCode.ConfigureAck, 5));
        Assert.True(replay.View().Lcp.IsOpened);
    }

    [Fact]
    public void Each_end_moves_through_req_sent_ack_rcvd_ack_sent_and_opened()
    {
        var replay = new SessionReplay();
        replay.Frames(Discover());
        Assert.Equal(PppNegotiationState.Initial, replay.View().Lcp.Client.State);

        replay.Frame(Ppp(In, PppProtocols.LcpValue, PppControlCode.ConfigureRequest, 1));
        Assert.Equal(PppNegotiationState.RequestSent, replay.View().Lcp.Client.State);
        Assert.Equal(PppNegotiationState.Initial, replay.View().Lcp.Isp.State);

        replay.Frame(Ppp(Out, PppProtocols.LcpValue, PppControlCode.ConfigureAck, 1));
        Assert.Equal(PppNegotiationState.AckReceived, replay.View().Lcp.Client.State);
        Assert.Equal(PppNegotiationState.AckSent, replay.View().Lcp.Isp.State);

        replay.Frame(Ppp(Out, PppProtocols.LcpValue, PppControlCode.ConfigureRequest, 1));
        replay.Frame(Ppp(In, PppProtocols.LcpValue, PppControlCode.ConfigureAck, 1));
        var lcp = replay.View().Lcp;
        Assert.Equal(PppNegotiationState.Opened, lcp.Client.State);
        Assert.Equal(PppNegotiationState.Opened, lcp.Isp.State);
        Assert.Equal(replay.Time.GetUtcNow() - SessionReplay.FrameSpacing, lcp.OpenedAt);
    }

    [Fact]
    public void A_configure_request_in_opened_restarts_negotiation()
    {
        var replay = new SessionReplay();
        replay.Frames(UpToNcps());
        replay.Frames(Open(PppProtocols.IpcpValue));
        Assert.True(replay.View().Ipcp.IsOpened);

        replay.Frame(Ppp(Out, PppProtocols.LcpValue, PppControlCode.ConfigureRequest, 2));

        var view = replay.View();
        Assert.False(view.Lcp.IsOpened);
        Assert.Equal(1, view.Lcp.Renegotiations);
        Assert.Equal(PppNegotiationState.RequestSent, view.Lcp.Isp.State);
        // RFC 1661 §3.7: with LCP down, IPCP is down too.
        Assert.False(view.Ipcp.IsOpened);
        Assert.Equal(PppNegotiationState.Closed, view.Ipcp.Client.State);
    }

    [Fact]
    public void An_lcp_terminate_closes_ipcp_and_ipv6cp_and_records_who_hung_up()
    {
        var replay = new SessionReplay();
        replay.Frames(UpToNcps());
        replay.Frames(Open(PppProtocols.IpcpValue));
        replay.Frames(Open(PppProtocols.Ipv6cpValue));

        replay.Frame(Ppp(Out, PppProtocols.LcpValue, PppControlCode.TerminateRequest, 7));
        var closing = replay.View();
        Assert.Equal(PppNegotiationState.Closing, closing.Lcp.Isp.State);
        Assert.Equal(SessionSide.Isp, closing.Lcp.TerminatedBy);
        Assert.False(closing.Ipcp.IsOpened);
        Assert.False(closing.Ipv6cp.IsOpened);

        replay.Frame(Ppp(In, PppProtocols.LcpValue, PppControlCode.TerminateAck, 7));
        var closed = replay.View();
        Assert.Equal(PppNegotiationState.Closed, closed.Lcp.Isp.State);
        Assert.True(closed.Lcp.Isp.TerminateAcked);
    }

    [Fact]
    public void A_padi_after_a_terminated_session_starts_a_fresh_attempt()
    {
        var replay = new SessionReplay();
        replay.Frames(SessionReplay.Capture("pppoe-pap"));
        Assert.Equal(1, replay.View().Discovery.Attempts);

        replay.Frame(Discovery(In, PppoeDiscoveryCode.Padi));

        var view = replay.View();
        Assert.Equal(2, view.Discovery.Attempts);
        Assert.Equal(PppoeDiscoveryState.PadiSent, view.Discovery.State);
        Assert.Null(view.Discovery.SessionId);
        Assert.Equal(0, view.Lcp.TimesOpened);
        Assert.Equal(AuthenticationOutcome.None, view.Authentication.Outcome);
        // Traffic is the port's, across attempts.
        Assert.Equal(63, view.In.Frames + view.Out.Frames);
    }

    [Theory]
    [InlineData("pppoe-pap")]
    [InlineData("pppoe-chap")]
    public void A_new_attempt_forgets_everything_of_the_last_but_the_ports_traffic(string capture)
    {
        var reused = new SessionReplay();
        reused.Frames(SessionReplay.Capture(capture));
        reused.Frame(Discovery(In, PppoeDiscoveryCode.Padi));
        var fresh = new SessionReplay();
        fresh.Frame(Discovery(In, PppoeDiscoveryCode.Padi));

        var expected = fresh.View();
        var actual = reused.View();
        // Records compare member by member: any field a reset forgot would show here. What the path carried or lost (traffic,
        // answers still owed, frames lost towards the client, the smallest frame delivered) is the port's, across attempts.
        Assert.Equal(
            expected with { TakenAt = default, TrackingSince = default, In = TrafficView.Empty, Out = TrafficView.Empty, Discovery = expected.Discovery with { Attempts = 0, FirstPadiAt = null, LastPadiAt = null }, AnswersOwedByClient = [], AnswersOwedByIsp = [], LostTowardClient = [], SmallestDeliveredToClient = null },
            actual with { TakenAt = default, TrackingSince = default, In = TrafficView.Empty, Out = TrafficView.Empty, Discovery = actual.Discovery with { Attempts = 0, FirstPadiAt = null, LastPadiAt = null }, AnswersOwedByClient = [], AnswersOwedByIsp = [], LostTowardClient = [], SmallestDeliveredToClient = null });
    }

    [Fact]
    public void Repeated_padis_before_an_offer_are_one_attempt()
    {
        var replay = new SessionReplay();
        for (int i = 0; i < 4; i++)
            replay.Frame(Discovery(In, PppoeDiscoveryCode.Padi));

        Assert.Equal(1, replay.View().Discovery.Attempts);
        Assert.Equal(4, replay.View().Discovery.Padi);
    }

    [Fact]
    public void Control_frames_of_another_session_id_are_counted_and_ignored()
    {
        var replay = new SessionReplay();
        replay.Frames(UpToNcps());
        replay.Frame(Ppp(Out, PppProtocols.LcpValue, PppControlCode.TerminateRequest, 3, sessionId: SessionId + 1));

        var view = replay.View();
        Assert.Equal(1, view.ForeignSessionFrames);
        Assert.True(view.Lcp.IsOpened);
    }

    [Fact]
    public void A_padt_for_another_session_does_not_end_this_one()
    {
        var replay = new SessionReplay();
        replay.Frames(UpToNcps());
        replay.Frame(Discovery(Out, PppoeDiscoveryCode.Padt, SessionId + 1));

        Assert.Equal(PppoeDiscoveryState.Session, replay.View().Discovery.State);
    }

    [Fact]
    public void A_tracker_started_mid_session_takes_the_session_id_from_session_frames()
    {
        var replay = new SessionReplay();
        replay.Frames(SessionReplay.Capture("pppoe-pap").Skip(29));

        var view = replay.View();
        Assert.True(view.Discovery.JoinedMidSession);
        Assert.Equal((ushort)1, view.Discovery.SessionId);
        Assert.Equal(PppoeDiscoveryState.Terminated, view.Discovery.State);
        Assert.Equal(1, view.Discovery.Attempts);
    }

    [Fact]
    public void A_pads_with_session_id_zero_and_no_tag_is_a_generic_refusal()
    {
        var replay = new SessionReplay();
        replay.Frames(Discover().Take(3));
        replay.Frame(Discovery(Out, PppoeDiscoveryCode.Pads, 0));

        Assert.Equal(PppoeDiscoveryState.Refused, replay.View().Discovery.State);
        Assert.Equal(PppoeErrorTags.GenericError, replay.View().Discovery.SessionErrors);
    }

    [Fact]
    public void Discovery_frames_from_the_wrong_end_are_counted_as_unexpected()
    {
        var replay = new SessionReplay();
        replay.Frame(Discovery(Out, PppoeDiscoveryCode.Padi));
        replay.Frame(Discovery(In, PppoeDiscoveryCode.Pads, 5));

        var discovery = replay.View().Discovery;
        Assert.Equal(2, discovery.UnexpectedFrames);
        Assert.Equal(PppoeDiscoveryState.Idle, discovery.State);
    }

    [Fact]
    public void Chap_failure_after_a_success_reports_the_latest_verdict()
    {
        var replay = new SessionReplay();
        replay.Frames(Discover());
        replay.Frame(Chap(Out, 1));
        replay.Frame(Chap(In, 2));
        replay.Frame(Chap(Out, 3));
        Assert.Equal(AuthenticationOutcome.Succeeded, replay.View().Authentication.Outcome);

        replay.Frame(Chap(Out, 1, 8));
        replay.Frame(Chap(In, 2, 8));
        replay.Frame(Chap(Out, 4, 8));

        var authentication = replay.View().Authentication;
        Assert.Equal(AuthenticationOutcome.Failed, authentication.Outcome);
        Assert.Equal(2, authentication.Challenges);
        Assert.Equal(1, authentication.Failures);
    }

    [Fact]
    public void Pap_the_client_asks_of_the_isp_is_not_taken_for_the_clients_own_login()
    {
        var replay = new SessionReplay();
        replay.Frames(Discover());
        replay.Frame(Pap(Out, 1));
        replay.Frame(Pap(In, 3));

        var authentication = replay.View().Authentication;
        Assert.Equal(AuthenticationOutcome.None, authentication.Outcome);
        Assert.Equal(2, authentication.OtherPackets);
    }

    [Fact]
    public void Error_tags_are_read_within_the_pppoe_length_only()
    {
        var frame = Discovery(Out, PppoeDiscoveryCode.Pads, 0, ServiceNameErrorTag);
        var info = FrameClassifier.Classify(frame);
        Assert.Equal(PppoeErrorTags.ServiceNameError, PppoeTags.ReadErrors(frame, info));

        // The same bytes with the PPPoE length cut before the error tag: it is padding, not a tag.
        frame[19] -= 4;
        Assert.Equal(PppoeErrorTags.None, PppoeTags.ReadErrors(frame, FrameClassifier.Classify(frame)));
    }
}

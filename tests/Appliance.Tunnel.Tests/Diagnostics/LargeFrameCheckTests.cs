using System.Buffers.Binary;
using Appliance.Tunnel.Diagnostics;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Tests.Support;
using Appliance.Tunnel.Tests.Switching;

namespace Appliance.Tunnel.Tests.Diagnostics;

/// <summary>
/// Fault matrix case 6 (a path that drops IP fragments): PPP's negotiation never sends a large frame, so the appliance checks the
/// largest one once when LCP opens, and the diagnosis names large-frame loss from that check.
/// </summary>
public sealed class LargeFrameCheckTests
{
    private const ushort SessionId = 0x2a17;
    private static readonly FrameSizeProbeTarget Target = new(FrameBuilder.ClientA, FrameBuilder.Concentrator, SessionId, 0x1a2b3c4d);

    /// <summary>A pppd-like client answering Echo-Requests, with every frame longer than <paramref name="lostAbove"/> lost on the path.</summary>
    private static void ClientAnswers(SwitchFixture fixture, int lostAbove = int.MaxValue, bool answers = true)
    {
        fixture.SinkA.Answer = request =>
        {
            var info = FrameClassifier.Classify(request);
            if (!answers || info.PppProtocol != PppProtocol.Lcp || info.PppCode != (byte)PppControlCode.EchoRequest || request.Length > lostAbove)
                return;
            var reply = (byte[])request.Clone();
            FrameBuilder.ClientA.Write(reply.AsSpan(6));
            FrameBuilder.Concentrator.Write(reply);
            reply[22] = (byte)PppControlCode.EchoReply;
            BinaryPrimitives.WriteUInt32BigEndian(reply.AsSpan(26), 0x0badcafe);
            fixture.Switch.Forward(fixture.SessionA, reply);
        };
    }

    private static async Task<LargeFrameCheckResult> Check(SwitchFixture fixture)
    {
        var check = FrameSizeProbe.RoundTripAsync(fixture.Switch, fixture.SessionA, Target, [LargeFrameCheck.ControlSize, 1514], fixture.Time,
            LargeFrameCheck.RoundTimeout);
        while (!check.IsCompleted)
        {
            fixture.Time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(1);
        }
        return LargeFrameCheck.Outcome(await check, 1514);
    }

    private static PppoeSessionView Opened(LargeFrameCheckResult? check) =>
        new SessionReplay().View() with { LargeFrameCheck = check };

    [Fact]
    public async Task A_path_losing_frames_over_1450_bytes_answers_the_small_echo_and_not_the_largest_one_twice()
    {
        using var fixture = new SwitchFixture();
        ClientAnswers(fixture, lostAbove: 1450);

        var result = await Check(fixture);

        Assert.True(result.ControlAnswered);
        Assert.False(result.LargeAnswered);
        Assert.True(result.LargeFramesLost);
        Assert.Equal(3, result.Requests); // 64 and 1514, then 1514 once more
    }

    [Fact]
    public async Task A_healthy_path_carries_the_largest_frame_with_two_requests()
    {
        using var fixture = new SwitchFixture();
        ClientAnswers(fixture);

        var result = await Check(fixture);

        Assert.False(result.LargeFramesLost);
        Assert.Equal(2, result.Requests);
    }

    [Fact]
    public async Task A_client_answering_no_echo_at_all_proves_nothing_about_large_frames()
    {
        using var fixture = new SwitchFixture();
        ClientAnswers(fixture, answers: false);

        var result = await Check(fixture);

        Assert.False(result.ControlAnswered);
        Assert.False(result.LargeFramesLost);
        Assert.DoesNotContain(PppoeDiagnosis.Diagnose(Opened(result)), f => f.Code == PppoeFindingCodes.LargeFramesLost);
    }

    [Fact]
    public void A_lost_largest_frame_is_named_large_frame_loss_with_the_tcp_profile_as_the_fix()
    {
        var check = new LargeFrameCheckResult(DateTimeOffset.UnixEpoch, 64, ControlAnswered: true, 1514, LargeAnswered: false, Requests: 3);

        var finding = Assert.Single(PppoeDiagnosis.Diagnose(Opened(check)));

        Assert.Equal(PppoeFindingCodes.LargeFramesLost, finding.Code);
        Assert.Equal(FindingSeverity.Error, finding.Severity);
        Assert.Contains("TCP profile", finding.Fix, StringComparison.Ordinal);
        Assert.Equal(("check", "64", "1514"), (finding.Parameters!["variant"], finding.Parameters["controlSize"], finding.Parameters["largeSize"]));
        Assert.Equal(new LostFrame(SessionSide.Isp, PppProtocol.Lcp, PppControlCode.EchoRequest, FrameSizeProbe.FirstIdentifier, 1514),
            Assert.Single(finding.Evidence));
    }

    [Fact]
    public void A_largest_frame_that_made_the_round_trip_is_no_finding()
    {
        var check = new LargeFrameCheckResult(DateTimeOffset.UnixEpoch, 64, ControlAnswered: true, 1514, LargeAnswered: true, Requests: 2);

        Assert.Empty(PppoeDiagnosis.Diagnose(Opened(check)));
    }

    [Fact]
    public void The_tracker_asks_for_the_check_once_each_time_lcp_opens()
    {
        var replay = new SessionReplay();
        int opened = 0;
        replay.Tracker.LcpOpened = () => opened++;
        var dialup = new DialUpSimulation(replay);

        dialup.Dial();
        dialup.RunFor(TimeSpan.FromSeconds(30));

        Assert.True(replay.View().Lcp.IsOpened);
        Assert.Equal(1, opened);
    }
}

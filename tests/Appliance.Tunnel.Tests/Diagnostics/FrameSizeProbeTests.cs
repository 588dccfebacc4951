using System.Buffers.Binary;
using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Diagnostics;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;
using Appliance.Tunnel.Tests.Support;
using Appliance.Tunnel.Tests.Switching;

namespace Appliance.Tunnel.Tests.Diagnostics;

/// <summary>The active size probe on a switch whose session port leads to a pppd-like client behind a size-dropping driver.</summary>
public sealed class FrameSizeProbeTests
{
    private const ushort SessionId = 0x2a17;
    private const uint IspMagic = 0x1a2b3c4d;
    private const uint ClientMagic = 0x0badcafe;
    private static readonly FrameSizeProbeTarget Target = new(FrameBuilder.ClientA, FrameBuilder.Concentrator, SessionId, IspMagic);

    /// <summary>Answers every Echo-Request of its session at once, as pppd does in LCP Opened, behind the given losses.</summary>
    private static void ClientAnswers(SwitchFixture fixture, int dropFromClientBelow = 0, int dropTowardClientBelow = 0, int dropFromClientAbove = int.MaxValue)
    {
        fixture.SinkA.Answer = request =>
        {
            var info = FrameClassifier.Classify(request);
            if (info.PppProtocol != PppProtocol.Lcp || info.PppCode != (byte)PppControlCode.EchoRequest || info.PppoeSessionId != SessionId ||
                request.Length < dropTowardClientBelow)
            {
                return;
            }
            var reply = (byte[])request.Clone();
            FrameBuilder.ClientA.Write(reply.AsSpan(6));
            FrameBuilder.Concentrator.Write(reply);
            reply[22] = (byte)PppControlCode.EchoReply;
            BinaryPrimitives.WriteUInt32BigEndian(reply.AsSpan(26), ClientMagic);
            if (reply.Length >= dropFromClientBelow && reply.Length <= dropFromClientAbove)
                fixture.Switch.Forward(fixture.SessionA, reply);
        };
    }

    /// <summary>Runs the probe, moving the fake clock on while rounds wait for replies that will not come.</summary>
    private static async Task<FrameSizeProbeResult> Probe(SwitchFixture fixture)
    {
        var probe = FrameSizeProbe.RunAsync(fixture.Switch, fixture.SessionA, Target, fixture.Time);
        while (!probe.IsCompleted)
        {
            fixture.Time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(1);
        }
        return await probe;
    }

    [Fact]
    public async Task A_client_whose_driver_drops_frames_under_34_bytes_measures_exactly_34()
    {
        using var fixture = new SwitchFixture();
        ClientAnswers(fixture, dropFromClientBelow: 34);

        var result = await Probe(fixture);

        Assert.Equal(34, result.LostBelow);
        Assert.Equal(34, result.SmallestRoundTrip);
        Assert.Equal(1514, result.LargestRoundTrip);
        Assert.Null(result.LostAbove);
        Assert.All(result.Sizes, s => Assert.Equal(s.Size >= 34, s.RoundTrip));
        Assert.Contains(new ProbedSize(33, false), result.Sizes);
        Assert.Contains(new ProbedSize(30, false), result.Sizes);
    }

    [Fact]
    public async Task A_client_refusing_ethernet_runts_measures_exactly_60()
    {
        using var fixture = new SwitchFixture();
        ClientAnswers(fixture, dropTowardClientBelow: 60);

        var result = await Probe(fixture);

        Assert.Equal(60, result.LostBelow);
        Assert.Contains(new ProbedSize(59, false), result.Sizes);
        Assert.Contains(new ProbedSize(60, true), result.Sizes);
    }

    [Fact]
    public async Task A_path_losing_frames_over_1432_bytes_measures_the_largest_frame_exactly()
    {
        using var fixture = new SwitchFixture();
        ClientAnswers(fixture, dropFromClientAbove: 1432);

        var result = await Probe(fixture);

        Assert.Null(result.LostBelow);
        Assert.Equal(30, result.SmallestRoundTrip);
        Assert.Equal(1432, result.LostAbove);
        Assert.Contains(new ProbedSize(1433, false), result.Sizes);
        Assert.Contains(new ProbedSize(1432, true), result.Sizes);
    }

    [Fact]
    public async Task A_healthy_client_answers_every_size_from_30_to_1514()
    {
        using var fixture = new SwitchFixture();
        ClientAnswers(fixture);

        var result = await Probe(fixture);

        Assert.Equal((30, 1514), (result.SmallestRoundTrip, result.LargestRoundTrip));
        Assert.Null(result.LostBelow);
        Assert.Null(result.LostAbove);
        Assert.Equal(LossDirection.None, result.Direction(new PppoeSessionView()));
    }

    [Fact]
    public async Task The_replies_never_reach_the_isp_and_each_is_counted_as_taken_by_the_probe()
    {
        using var fixture = new SwitchFixture();
        ClientAnswers(fixture);

        var result = await Probe(fixture);

        Assert.Empty(fixture.UplinkSink.Frames);
        var counters = fixture.SessionA.Counters.Snapshot();
        Assert.Equal(result.Requests, counters.In.Drops(DropReason.ConsumedByProbe));
        Assert.Equal(result.Requests, counters.Out.Frames);
        Assert.Null(fixture.SessionA.Interceptor);
        // Every request was the ISP's: its MAC, its magic number, a reserved identifier.
        foreach (var request in fixture.SinkA.Frames)
        {
            Assert.Equal(FrameBuilder.Concentrator, MacAddress.Read(request.AsSpan(6)));
            Assert.Equal(IspMagic, BinaryPrimitives.ReadUInt32BigEndian(request.AsSpan(26)));
            Assert.InRange(request[23], FrameSizeProbe.FirstIdentifier, (byte)0xFF);
        }
    }

    [Fact]
    public async Task The_clients_other_frames_pass_while_a_probe_runs()
    {
        using var fixture = new SwitchFixture();
        var isp = new PppoeSessionTracker(fixture.Time);
        fixture.SessionA.Observer = isp;
        fixture.SinkA.Answer = _ =>
        {
            // The client answers nothing the probe sent, but its own traffic goes on: it must reach the ISP.
            fixture.Switch.Forward(fixture.SessionA, FrameBuilder.PppoeIPv4(FrameBuilder.Concentrator, FrameBuilder.ClientA, 98, SessionId));
        };

        var result = await Probe(fixture);

        Assert.Null(result.SmallestRoundTrip);
        Assert.Equal(result.Requests, fixture.UplinkSink.Frames.Count);
        // The tracker saw no probe request: its view holds nothing the client owes.
        Assert.Empty(isp.Snapshot().AnswersOwedByClient);
    }

    [Fact]
    public async Task A_second_probe_of_the_same_port_is_refused_while_the_first_runs()
    {
        using var fixture = new SwitchFixture();
        var first = FrameSizeProbe.RunAsync(fixture.Switch, fixture.SessionA, Target, fixture.Time);

        await Assert.ThrowsAsync<InvalidOperationException>(() => FrameSizeProbe.RunAsync(fixture.Switch, fixture.SessionA, Target, fixture.Time));

        while (!first.IsCompleted)
        {
            fixture.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(1);
        }
        await first;
    }

    [Theory]
    [InlineData("from the client", 34, 0, LossDirection.FromClient)]
    [InlineData("toward the client", 0, 34, LossDirection.TowardClient)]
    public void The_passive_view_says_which_way_the_probes_lost_sizes_go(string name, int fromBelow, int towardBelow, LossDirection expected)
    {
        Assert.NotNull(name);
        var replay = new SessionReplay();
        var dialup = new DialUpSimulation(replay) { DropFromClientBelow = fromBelow, DropTowardClientBelow = towardBelow };
        dialup.Dial();
        dialup.RunFor(TimeSpan.FromSeconds(20));
        var result = new FrameSizeProbeResult([new ProbedSize(33, false), new ProbedSize(34, true)], 34, 34, 34, null, 2, default, TimeSpan.Zero);

        Assert.Equal(expected, result.Direction(replay.View()));
    }

    [Fact]
    public void The_summary_names_the_threshold_the_direction_and_the_window()
    {
        var shortLoss = new FrameSizeProbeResult([], 34, 1514, 34, null, 50, default, TimeSpan.Zero);
        var largeLoss = new FrameSizeProbeResult([], 30, 1432, null, 1432, 50, default, TimeSpan.Zero);
        var silent = new FrameSizeProbeResult([], null, null, null, null, 50, default, TimeSpan.Zero);

        Assert.Equal("Frames shorter than 34 bytes from the client never arrive; 34 to 1514 bytes make the round trip.", shortLoss.Describe(LossDirection.FromClient));
        Assert.Equal("Frames shorter than 34 bytes toward the client never reach it; 34 to 1514 bytes make the round trip.", shortLoss.Describe(LossDirection.TowardClient));
        Assert.Contains("TCP profile", largeLoss.Describe(LossDirection.Unknown), StringComparison.Ordinal);
        Assert.StartsWith("No Echo-Request", silent.Describe(LossDirection.Unknown), StringComparison.Ordinal);
    }
}

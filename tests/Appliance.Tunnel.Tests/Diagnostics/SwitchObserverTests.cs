using System.Collections.Concurrent;
using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Diagnostics;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;
using Appliance.Tunnel.Tests.Support;
using Appliance.Tunnel.Tests.Switching;

namespace Appliance.Tunnel.Tests.Diagnostics;

/// <summary><see cref="SwitchPort.Observer"/>: what the switch hands an observer, and a tracker fed through a real switch.</summary>
public sealed class SwitchObserverTests
{
    private sealed record Seen(int Length, FrameClass Info, FrameDirection Direction, long Timestamp);

    private sealed class RecordingObserver : IFrameObserver
    {
        public ConcurrentQueue<Seen> Frames { get; } = new();

        public void OnFrame(ReadOnlySpan<byte> frame, in FrameClass info, FrameDirection direction, long timestamp) =>
            Frames.Enqueue(new Seen(frame.Length, info, direction, timestamp));
    }

    /// <summary>Takes every frame and keeps nothing, so only the switch and the observer can allocate.</summary>
    private sealed class DiscardingSink : IFrameSink
    {
        public bool TrySend(ReadOnlySpan<byte> frame, out DropReason reason)
        {
            reason = default;
            return true;
        }
    }

    private sealed class CountingTap : IPortTap
    {
        public int Frames;
        public void OnFrame(ReadOnlySpan<byte> frame, FrameDirection direction) => Frames++;
    }

    [Fact]
    public void Observer_gets_inbound_frames_with_the_switchs_classification_and_the_switchs_clock()
    {
        using var fixture = new SwitchFixture();
        var observer = new RecordingObserver();
        fixture.SessionA.Observer = observer;
        fixture.Time.Advance(TimeSpan.FromSeconds(5));
        var frame = FrameBuilder.IpcpConfigureAck(FrameBuilder.Concentrator, FrameBuilder.ClientA);

        fixture.Switch.Forward(fixture.SessionA, frame);

        var seen = Assert.Single(observer.Frames);
        Assert.Equal(FrameDirection.Inbound, seen.Direction);
        Assert.Equal(32, seen.Length);
        Assert.Equal(FrameClassifier.Classify(frame), seen.Info);
        // The switch's coarse clock: no older than one ClockResolution.
        Assert.InRange(fixture.Time.GetElapsedTime(seen.Timestamp), TimeSpan.Zero, EthernetSwitch.ClockResolution);
    }

    [Fact]
    public void Observer_gets_outbound_frames_as_handed_to_the_device_and_a_refusal_shows_in_the_drop_counters()
    {
        using var fixture = new SwitchFixture();
        var observer = new RecordingObserver();
        fixture.SessionA.Observer = observer;
        var padi = FrameBuilder.PppoeDiscovery(MacAddress.Broadcast, FrameBuilder.ClientB, PppoeDiscoveryCode.Padi);

        fixture.Switch.Forward(fixture.Uplink, padi);
        fixture.SinkA.Refuse = DropReason.QueueFull;
        fixture.Switch.Forward(fixture.Uplink, padi);

        Assert.Equal(2, observer.Frames.Count);
        Assert.All(observer.Frames, f => Assert.Equal(FrameDirection.Outbound, f.Direction));
        Assert.Equal(1, fixture.SessionA.Counters.Out.Snapshot().Frames);
        Assert.Equal(1, fixture.SessionA.Counters.Out.Snapshot().Drops(DropReason.QueueFull));
    }

    [Fact]
    public void A_client_that_answers_at_once_is_observed_after_the_frame_it_answers()
    {
        using var fixture = new SwitchFixture();
        var observer = new RecordingObserver();
        fixture.SessionA.Observer = observer;
        var pado = FrameBuilder.PppoeDiscovery(FrameBuilder.ClientA, FrameBuilder.Concentrator, PppoeDiscoveryCode.Pado);
        var padr = FrameBuilder.PppoeDiscovery(FrameBuilder.Concentrator, FrameBuilder.ClientA, PppoeDiscoveryCode.Padr);
        // The client learns its port first, then answers the offer inside the very send that carries it.
        fixture.Switch.Forward(fixture.SessionA, FrameBuilder.PppoeDiscovery(MacAddress.Broadcast, FrameBuilder.ClientA, PppoeDiscoveryCode.Padi));
        observer.Frames.Clear();
        fixture.SinkA.Answer = _ => { fixture.SinkA.Answer = null; fixture.Switch.Forward(fixture.SessionA, padr); };

        fixture.Switch.Forward(fixture.Uplink, pado);

        Assert.Equal([PppoeDiscoveryCode.Pado, PppoeDiscoveryCode.Padr], observer.Frames.Select(f => f.Info.PppoeCode));
    }

    [Fact]
    public void Observer_sees_inbound_frames_the_switch_then_drops_as_the_in_counters_do()
    {
        using var fixture = new SwitchFixture();
        var observer = new RecordingObserver();
        fixture.SessionA.Observer = observer;

        fixture.Switch.Forward(fixture.SessionA, FrameBuilder.PppoeIPv4(FrameBuilder.Concentrator, FrameBuilder.ClientA, 1600));

        Assert.Single(observer.Frames);
        Assert.Equal(1, fixture.SessionA.Counters.In.Snapshot().Drops(DropReason.Oversize));
    }

    [Fact]
    public void Tap_and_observer_both_see_every_frame()
    {
        using var fixture = new SwitchFixture();
        var observer = new RecordingObserver();
        var tap = new CountingTap();
        fixture.SessionA.Observer = observer;
        fixture.SessionA.Tap = tap;

        fixture.Switch.Forward(fixture.SessionA, FrameBuilder.PppoeIPv4(FrameBuilder.Concentrator, FrameBuilder.ClientA, 100));
        fixture.Switch.Forward(fixture.Uplink, FrameBuilder.PppoeIPv4(FrameBuilder.ClientA, FrameBuilder.Concentrator, 100));

        Assert.Equal(2, tap.Frames);
        Assert.Equal(2, observer.Frames.Count);
    }

    [Theory]
    [InlineData("pppoe-pap")]
    [InlineData("pppoe-chap")]
    public void A_tracker_on_the_clients_port_of_a_real_switch_follows_the_whole_capture(string capture)
    {
        using var fixture = new SwitchFixture();
        var tracker = new PppoeSessionTracker(fixture.Time);
        fixture.SessionA.Observer = tracker;
        PppoeSessionView? whileUp = null;
        foreach (var frame in SessionReplay.Capture(capture))
        {
            var info = FrameClassifier.Classify(frame);
            if (info.PppProtocol == PppProtocol.Lcp && info.PppCode == (byte)PppControlCode.TerminateRequest)
                whileUp = tracker.Snapshot();
            var ingress = SessionReplay.DirectionOf(frame) == FrameDirection.Inbound ? fixture.SessionA : fixture.Uplink;
            fixture.Switch.Forward(ingress, frame);
            fixture.Time.Advance(SessionReplay.FrameSpacing);
        }

        Assert.NotNull(whileUp);
        Assert.True(whileUp.Lcp.IsOpened && whileUp.Ipcp.IsOpened && whileUp.Ipv6cp.IsOpened);
        var end = tracker.Snapshot();
        Assert.Equal(PppoeDiscoveryState.Terminated, end.Discovery.State);
        Assert.Equal((ushort)1, end.Discovery.SessionId);
        var counters = fixture.SessionA.Counters.Snapshot();
        Assert.Equal(counters.In.Frames, end.In.Frames);
        Assert.Equal(counters.Out.Frames, end.Out.Frames);
        Assert.Equal(counters.In.BySize(SizeClass.Bytes14To33), end.In.ShortFrames);
        Assert.Empty(PppoeDiagnosis.Diagnose(end, counters, fixture.Uplink.Counters.Snapshot()));
    }

    [Fact]
    public void Forward_with_a_tracker_attached_allocates_nothing_per_frame()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using var network = new EthernetSwitch(time: time);
        var uplink = network.AddPort("uplink", PortKind.Uplink, new DiscardingSink());
        var session = network.AddPort("client", PortKind.Session, new DiscardingSink());
        session.Observer = new PppoeSessionTracker(time);
        // Whole dial-ups, PADI to hang-up, again and again: each round is also a new attempt for the tracker.
        var frames = SessionReplay.Capture("pppoe-pap");
        var ingress = new SwitchPort[frames.Count];
        for (int i = 0; i < frames.Count; i++)
            ingress[i] = SessionReplay.DirectionOf(frames[i]) == FrameDirection.Inbound ? session : uplink;
        // Warm up: MAC learning, counter stripes and tiered JIT allocate once.
        for (int round = 0; round < 3; round++)
            Replay(200);

        const int Rounds = 200;
        long before = GC.GetAllocatedBytesForCurrentThread();
        Replay(Rounds);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        int total = Rounds * frames.Count;
        Assert.True(allocated < total, $"{allocated} bytes allocated for {total} frames");

        void Replay(int rounds)
        {
            for (int r = 0; r < rounds; r++)
            {
                for (int i = 0; i < frames.Count; i++)
                    network.Forward(ingress[i], frames[i]);
            }
        }
    }

    [Fact]
    public void Tracker_allocates_nothing_per_frame_on_its_own()
    {
        var tracker = new PppoeSessionTracker();
        var frames = SessionReplay.Capture("pppoe-pap");
        var infos = frames.Select(f => FrameClassifier.Classify(f)).ToArray();
        var directions = frames.Select(f => SessionReplay.DirectionOf(f)).ToArray();
        for (int round = 0; round < 3; round++)
            Feed(500);

        long before = GC.GetAllocatedBytesForCurrentThread();
        Feed(500);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 500 * frames.Count, $"{allocated} bytes allocated for {500 * frames.Count} frames");

        void Feed(int rounds)
        {
            for (int r = 0; r < rounds; r++)
            {
                for (int i = 0; i < frames.Count; i++)
                    tracker.OnFrame(frames[i], infos[i], directions[i], 1000 + r);
            }
        }
    }
}

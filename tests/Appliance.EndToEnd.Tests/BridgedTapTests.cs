using Xunit.Abstractions;
using Appliance.EndToEnd.Tests.Support;
using Appliance.Tunnel.Devices;
using Appliance.Tunnel.Switching;

namespace Appliance.EndToEnd.Tests;

/// <summary>A real TAP and a real raw socket on either side of a Linux bridge, in a namespace of their own.</summary>
[Trait("Category", "EndToEnd")]
public sealed class BridgedTapTests : IClassFixture<BridgeLab>
{
    private const int Window = 64;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly BridgeLab _lab;
    private readonly ITestOutputHelper _output;

    public BridgedTapTests(BridgeLab lab, ITestOutputHelper output)
    {
        _lab = lab;
        _output = output;
    }

    [Fact]
    public void Every_length_from_14_to_1522_crosses_tap_bridge_and_veth_byte_exact_in_both_directions()
    {
        Assert.Equal("rx-vlan-offload: on", _lab.WireVlanOffload);
        var tap = _lab.OpenTap("tapx0");
        var wire = _lab.OpenWire();
        var fromTap = new FrameCollector(tap);
        var fromWire = new FrameCollector(wire);
        try
        {
            var outbound = TestFrames.Sweep(TestFrames.BehindTap, TestFrames.BehindWire);
            SendWindowed(tap, outbound, () => fromWire.Count);
            fromWire.WaitForCount(outbound.Count, Patience);
            AssertSame("tap -> bridge -> raw socket", outbound, fromWire.Frames());

            int wireSeen = fromWire.Count;
            var inbound = TestFrames.Sweep(TestFrames.BehindWire, TestFrames.BehindTap);
            SendWindowed(wire, inbound, () => fromTap.Count);
            fromTap.WaitForCount(inbound.Count, Patience);
            AssertSame("raw socket -> bridge -> tap", inbound, fromTap.Frames());

            Thread.Sleep(100);
            Assert.True(wireSeen == fromWire.Count, $"the raw socket read back {fromWire.Count - wireSeen} frames it sent itself");
            Assert.Empty(fromTap.Errors);
            Assert.Empty(fromWire.Errors);
        }
        finally
        {
            tap.Dispose();
            wire.Dispose();
        }
        Assert.True(fromTap.Join(TimeSpan.FromSeconds(2)), "tap reader did not see Closed after dispose");
        Assert.True(fromWire.Join(TimeSpan.FromSeconds(2)), "raw socket reader did not see Closed after dispose");
    }

    [Fact]
    public void Through_the_switch_every_frame_crosses_and_port_counters_match_class_by_class()
    {
        using var ethernetSwitch = new EthernetSwitch(new SwitchOptions { Policy = SwitchPolicy.AllLayer2, Mtu = 1500 });
        var session = new InMemoryDevice("session", capacity: 8192, maxFrameLength: 1600);
        var wire = _lab.OpenWire();
        var fromWire = new FrameCollector(wire);
        using var uplink = new DevicePort(ethernetSwitch, _lab.OpenTap("tapx1"), PortKind.Uplink);
        using var client = new DevicePort(ethernetSwitch, session, PortKind.Session);
        try
        {
            var outbound = TestFrames.Sweep(TestFrames.BehindTap, TestFrames.BehindWire);
            for (int i = 0; i < outbound.Count; i++)
            {
                if (i - fromWire.Count >= Window && !fromWire.WaitForCount(i - Window + 1, Patience))
                    break;
                session.Inject(outbound[i]);
            }
            fromWire.WaitForCount(outbound.Count, Patience);
            AssertSame("session -> switch -> tap -> bridge -> raw socket", outbound, fromWire.Frames());

            var inbound = TestFrames.Sweep(TestFrames.BehindWire, TestFrames.BehindTap);
            SendWindowed(wire, inbound, () => (int)session.FramesWritten);
            ClassCounts.Eventually(() => session.FramesWritten >= inbound.Count, Patience);
            var delivered = new List<byte[]>();
            while (session.TryTake(out var frame))
                delivered.Add(frame);
            AssertSame("raw socket -> bridge -> tap -> switch -> session", inbound, delivered);

            ClassCounts.Eventually(() => uplink.Port.Counters.Out.Snapshot().Frames >= outbound.Count, Patience);
            var sessionCounters = client.Port.Counters.Snapshot();
            var uplinkCounters = uplink.Port.Counters.Snapshot();
            ClassCounts.AssertMatches("session port In", outbound, sessionCounters.In);
            ClassCounts.AssertMatches("uplink port Out", outbound, uplinkCounters.Out);
            ClassCounts.AssertMatches("uplink port In", inbound, uplinkCounters.In);
            ClassCounts.AssertMatches("session port Out", inbound, sessionCounters.Out);
        }
        finally
        {
            wire.Dispose();
        }
        Assert.True(fromWire.Join(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void Blocked_reads_return_Closed_promptly_when_the_devices_are_disposed_from_another_thread()
    {
        var tap = _lab.OpenTap("tapx2");
        var wire = _lab.OpenWire();
        var fromTap = new FrameCollector(tap);
        var fromWire = new FrameCollector(wire);
        Thread.Sleep(100);
        Assert.True(fromTap.IsRunning && fromWire.IsRunning);

        var started = DateTime.UtcNow;
        tap.Dispose();
        wire.Dispose();

        Assert.True(fromTap.Join(TimeSpan.FromSeconds(1)), "tap read still blocked after dispose");
        Assert.True(fromWire.Join(TimeSpan.FromSeconds(1)), "raw socket read still blocked after dispose");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromMilliseconds(500));
        Assert.Equal(DeviceStatus.Closed, tap.Read(new byte[64]).Status);
        Assert.Equal(DeviceStatus.Closed, wire.Write(new byte[64]).Status);
    }

    [Fact]
    public void Tap_write_and_raw_socket_read_allocate_nothing()
    {
        using var tap = _lab.OpenTap("tapx3");
        using var wire = _lab.OpenWire();
        var frames = new[]
        {
            TestFrames.Build(14, PayloadKind.Unknown, Tagging.Untagged, TestFrames.BehindTap, TestFrames.BehindWire, 1),
            TestFrames.Build(32, PayloadKind.PppoeSession, Tagging.Untagged, TestFrames.BehindTap, TestFrames.BehindWire, 2),
            TestFrames.Build(1518, PayloadKind.PppoeSession, Tagging.Dot1Q, TestFrames.BehindTap, TestFrames.BehindWire, 3),
            TestFrames.Build(1522, PayloadKind.IPv4, Tagging.QinQ, TestFrames.BehindTap, TestFrames.BehindWire, 4),
        };
        var buffer = new byte[2048];
        // A lost frame would block Read for ever: the watchdog closes the socket, Read returns Closed and the test fails.
        using var watchdog = new Timer(_ => wire.Dispose(), null, TimeSpan.FromSeconds(20), Timeout.InfiniteTimeSpan);
        RoundTrip(tap, wire, frames, buffer);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
            RoundTrip(tap, wire, frames, buffer);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Frames_the_kernel_keeps_arrive_and_those_it_drops_below_its_limits_are_reported()
    {
        // Our devices accept every frame of 14 bytes or more; the Linux bridge path has two limits of its own
        // (see TestFrames.MinimumLength and MinimumPppoeSessionLength). This pins the boundary and prints what it eats.
        var tap = _lab.OpenTap("tapx4");
        var wire = _lab.OpenWire();
        var fromWire = new FrameCollector(wire);
        try
        {
            var frames = new List<byte[]>();
            foreach (var tagging in Enum.GetValues<Tagging>())
            {
                for (int length = 14; length <= 14 + 4 * (int)tagging + 8; length++)
                {
                    frames.Add(TestFrames.Build(length, PayloadKind.PppoeSession, tagging, TestFrames.BehindTap, TestFrames.BehindWire, length));
                    frames.Add(TestFrames.Build(length, PayloadKind.Unknown, tagging, TestFrames.BehindTap, TestFrames.BehindWire, length));
                }
            }
            foreach (var frame in frames)
                Assert.Equal(DeviceResult.Ok(frame.Length), tap.Write(frame));

            var kept = frames.Where(KernelKeeps).ToList();
            fromWire.WaitForCount(kept.Count, Patience);
            Thread.Sleep(200);
            AssertSame("frames at or above the kernel's limits", kept, fromWire.Frames());
            foreach (var frame in frames.Where(f => !KernelKeeps(f)))
                _output.WriteLine($"dropped by the Linux bridge path: {TestFrames.Describe(frame)}");
        }
        finally
        {
            tap.Dispose();
            wire.Dispose();
        }
    }

    private static bool KernelKeeps(byte[] frame)
    {
        int tags = 0;
        while (12 + 4 * tags + 2 <= frame.Length && System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12 + 4 * tags)) is 0x8100 or 0x88A8)
            tags++;
        var tagging = (Tagging)Math.Min(tags, 2);
        if (frame.Length < TestFrames.MinimumLength(tagging))
            return false;
        bool pppoeSession = 12 + 4 * tags + 2 <= frame.Length
            && System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12 + 4 * tags)) == 0x8864;
        return !pppoeSession || frame.Length >= TestFrames.MinimumPppoeSessionLength(tagging);
    }

    [Fact]
    public void Persistent_tap_outlives_its_device_and_a_transient_one_does_not()
    {
        var transient = _lab.OpenTap("tapx5");
        Assert.Contains("tapx5", _lab.Namespace.Ip("link", "show", "tapx5"));
        transient.Dispose();
        Assert.True(ClassCounts.Eventually(() => !LinkExists("tapx5"), TimeSpan.FromSeconds(2)), "a non-persistent tap must go with its device");

        var persistent = _lab.OpenTap("tapx6", persistent: true);
        persistent.Dispose();
        try
        {
            Assert.True(LinkExists("tapx6"));
        }
        finally
        {
            _lab.Namespace.Ip("link", "del", "tapx6");
        }
    }

    [Fact]
    public void Setup_failures_name_the_interface_and_the_fix()
    {
        var noBridge = Assert.Throws<DeviceSetupException>(() =>
            _lab.Namespace.InvokeInside(() => TapDevice.Open("tapx7", new TapOptions { Bridge = "nobr0" })));
        Assert.Contains("bridge 'nobr0' not found", noBridge.Message, StringComparison.Ordinal);
        Assert.Contains("ip link add nobr0 type bridge", noBridge.Message, StringComparison.Ordinal);
        Assert.False(LinkExists("tapx7"), "a failed open must not leave the tap behind");

        var notBridge = Assert.Throws<DeviceSetupException>(() =>
            _lab.Namespace.InvokeInside(() => TapDevice.Open("tapx8", new TapOptions { Bridge = BridgeLab.Wire })));
        Assert.Contains("is not a bridge", notBridge.Message, StringComparison.Ordinal);

        var noNic = Assert.Throws<DeviceSetupException>(() => _lab.Namespace.InvokeInside(() => RawSocketDevice.Open("nonic0")));
        Assert.Contains("network interface 'nonic0' not found", noNic.Message, StringComparison.Ordinal);

        var badMtu = Assert.Throws<DeviceSetupException>(() =>
            _lab.Namespace.InvokeInside(() => TapDevice.Open("tapx9", new TapOptions { Mtu = 20 })));
        Assert.Contains("MTU 20", badMtu.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentException>(() => TapDevice.Open("a-name-longer-than-15"));
    }

    private bool LinkExists(string name) =>
        NetworkNamespace.TryRun("ip", ["-n", _lab.Namespace.Name, "link", "show", name], out _) == 0;

    private static void RoundTrip(TapDevice tap, RawSocketDevice wire, byte[][] frames, byte[] buffer)
    {
        foreach (var frame in frames)
        {
            var written = tap.Write(frame);
            if (written.Status != DeviceStatus.Ok)
                Assert.Fail($"tap write: {written}");
            var read = wire.Read(buffer);
            if (read.Status != DeviceStatus.Ok || !buffer.AsSpan(0, read.Length).SequenceEqual(frame))
                Assert.Fail($"raw read: {read}");
        }
    }

    private static void SendWindowed(IFrameDevice device, List<byte[]> frames, Func<int> received)
    {
        int start = received();
        for (int i = 0; i < frames.Count; i++)
        {
            // Stay within the kernel's per-CPU backlog (1000) so any loss is a real drop, not our flood.
            if (i - (received() - start) >= Window
                && !ClassCounts.Eventually(() => i - (received() - start) < Window, Patience))
                break;
            var result = device.Write(frames[i]);
            Assert.True(result == DeviceResult.Ok(frames[i].Length), $"{device.Name} write of {TestFrames.Describe(frames[i])}: {result}");
        }
    }

    private static void AssertSame(string path, List<byte[]> sent, List<byte[]> received)
    {
        var (missing, unexpected) = FrameSets.Compare(sent, received);
        Assert.True(missing.Count == 0 && unexpected.Count == 0,
            $"{path}: sent {sent.Count}, received {received.Count}; missing {FrameSets.Summary(missing)}; unexpected {FrameSets.Summary(unexpected)}");
    }
}

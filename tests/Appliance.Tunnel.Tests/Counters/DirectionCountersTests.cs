using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;
using static Appliance.Tunnel.Tests.Support.FrameBuilder;

namespace Appliance.Tunnel.Tests.Counters;

public sealed class DirectionCountersTests
{
    [Fact]
    public void Each_frame_counts_once_in_every_breakdown()
    {
        var counters = new DirectionCounters();
        counters.Record(FrameClassifier.Classify(IpcpConfigureAck(Concentrator, ClientA)));
        counters.Record(FrameClassifier.Classify(PppoeDiscovery(MacAddress.Broadcast, ClientA, PppoeDiscoveryCode.Padi)));
        counters.Record(FrameClassifier.Classify(PppoeIPv4(Concentrator, ClientA, 1514)));
        counters.Record(FrameClassifier.Classify(Ethernet(Concentrator, ClientA, EtherTypes.Arp, 42, 7)));

        var s = counters.Snapshot();

        Assert.Equal(4, s.Frames);
        Assert.Equal(32 + 20 + 1514 + 42, s.Bytes);
        Assert.Equal(2, s.BySize(SizeClass.Bytes14To33));
        Assert.Equal(1, s.BySize(SizeClass.Bytes34To59));
        Assert.Equal(1, s.BySize(SizeClass.Bytes1024To1514));
        Assert.Equal(2, s.ByFamily(EtherTypeFamily.PppoeSession));
        Assert.Equal(1, s.ByFamily(EtherTypeFamily.PppoeDiscovery));
        Assert.Equal(1, s.ByFamily(EtherTypeFamily.Arp));
        Assert.Equal(1, s.ByPppoeCode(PppoeDiscoveryCode.Padi));
        Assert.Equal(1, s.ByPppProtocol(PppProtocol.Ipcp));
        Assert.Equal(1, s.ByPppProtocol(PppProtocol.IPv4));
        Assert.Equal(1, s.ByPppControl(PppProtocol.Ipcp, PppControlCode.ConfigureAck));
        Assert.Equal(1, s.VlanTaggedFrames);
        Assert.Equal(4, s.ByStatus(FrameStatus.Complete));
    }

    [Fact]
    public void Lcp_vendor_specific_code_0_is_a_control_packet_and_is_counted()
    {
        var counters = new DirectionCounters();
        var frame = FrameClassifier.Classify(PppControl(Concentrator, ClientA, 1, PppProtocols.LcpValue, code: 0, identifier: 9, optionBytes: 4));

        counters.Record(frame);

        Assert.True(frame.HasPppControl);
        Assert.Equal(9, frame.PppIdentifier);
        Assert.Equal(1, counters.Snapshot().ByPppControl(PppProtocol.Lcp, (byte)0));
    }

    [Fact]
    public void Drops_count_by_reason_with_their_bytes()
    {
        var counters = new DirectionCounters();
        counters.RecordDrop(DropReason.Oversize, 1600);
        counters.RecordDrop(DropReason.Oversize, 1700);
        counters.RecordDrop(DropReason.QueueFull, 60);

        var s = counters.Snapshot();

        Assert.Equal(2, s.Drops(DropReason.Oversize));
        Assert.Equal(1, s.Drops(DropReason.QueueFull));
        Assert.Equal(3, s.DroppedFrames);
        Assert.Equal(3360, s.DroppedBytes);
        Assert.Equal(0, s.Frames);
    }

    [Fact]
    public void Snapshot_is_a_value_that_later_frames_do_not_change()
    {
        var counters = new DirectionCounters();
        var frame = FrameClassifier.Classify(IpcpConfigureAck(Concentrator, ClientA));
        counters.Record(frame);

        var before = counters.Snapshot();
        counters.Record(frame);
        var after = counters.Snapshot();

        Assert.Equal(1, before.Frames);
        Assert.Equal(2, after.Frames);
        Assert.Equal(1, after.Since(before).Frames);
    }

    [Fact]
    public void Snapshots_taken_during_concurrent_counting_never_show_half_a_frame()
    {
        var counters = new DirectionCounters();
        var small = FrameClassifier.Classify(IpcpConfigureAck(Concentrator, ClientA));
        var large = FrameClassifier.Classify(PppoeIPv4(Concentrator, ClientA, 1514));
        const int PerWriter = 200_000;
        using var start = new Barrier(4);
        var writers = new Thread[3];
        for (int w = 0; w < writers.Length; w++)
        {
            writers[w] = new Thread(() =>
            {
                start.SignalAndWait();
                for (int i = 0; i < PerWriter; i++)
                    counters.Record((i & 1) == 0 ? small : large);
            });
            writers[w].Start();
        }

        start.SignalAndWait();
        int inconsistent = 0, taken = 0;
        while (writers.Any(t => t.IsAlive))
        {
            var s = counters.Snapshot();
            taken++;
            long bySize = s.BySize(SizeClass.Bytes14To33) + s.BySize(SizeClass.Bytes1024To1514);
            long byProtocol = s.ByPppProtocol(PppProtocol.Ipcp) + s.ByPppProtocol(PppProtocol.IPv4);
            long bytes = 32 * s.BySize(SizeClass.Bytes14To33) + 1514 * s.BySize(SizeClass.Bytes1024To1514);
            if (bySize != s.Frames || byProtocol != s.Frames || bytes != s.Bytes || s.ByPppControl(PppProtocol.Ipcp, PppControlCode.ConfigureAck) != s.BySize(SizeClass.Bytes14To33))
                inconsistent++;
        }
        foreach (var t in writers)
            t.Join();

        Assert.True(taken > 0);
        Assert.Equal(0, inconsistent);
        Assert.Equal(3L * PerWriter, counters.Snapshot().Frames);
    }
}

using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;
using static Appliance.Tunnel.Tests.Support.FrameBuilder;

namespace Appliance.Tunnel.Tests.Switching;

public sealed class EthernetSwitchTests
{
    [Fact]
    public void Padi_from_a_session_floods_to_the_uplink_only()
    {
        using var s = new SwitchFixture();
        var padi = PppoeDiscovery(MacAddress.Broadcast, ClientA, PppoeDiscoveryCode.Padi);

        s.Switch.Forward(s.SessionA, padi);

        Assert.Equal(padi, s.UplinkSink.Single());
        Assert.Empty(s.SinkB.Frames);
        Assert.Equal(1, s.Uplink.Counters.Out.Snapshot().ByPppoeCode(PppoeDiscoveryCode.Padi));
    }

    [Fact]
    public void Offer_to_a_learned_client_goes_to_its_session_alone()
    {
        using var s = new SwitchFixture();
        s.Switch.Forward(s.SessionA, PppoeDiscovery(MacAddress.Broadcast, ClientA, PppoeDiscoveryCode.Padi));
        s.Switch.Forward(s.SessionB, PppoeDiscovery(MacAddress.Broadcast, ClientB, PppoeDiscoveryCode.Padi));
        var pado = PppoeDiscovery(ClientA, Concentrator, PppoeDiscoveryCode.Pado);

        s.Switch.Forward(s.Uplink, pado);

        Assert.Equal(pado, s.SinkA.Single());
        Assert.Empty(s.SinkB.Frames);
    }

    [Fact]
    public void Unknown_unicast_from_the_uplink_floods_to_every_session()
    {
        using var s = new SwitchFixture();
        var frame = PppoeDiscovery(ClientA, Concentrator, PppoeDiscoveryCode.Pado);

        s.Switch.Forward(s.Uplink, frame);

        Assert.Equal(frame, s.SinkA.Single());
        Assert.Equal(frame, s.SinkB.Single());
    }

    [Fact]
    public void Frame_of_14_bytes_crosses_unchanged_and_is_counted_in_the_14_to_33_class()
    {
        using var s = new SwitchFixture();
        var frame = Ethernet(Concentrator, ClientA, EtherTypes.PppoeSession, 14);

        s.Switch.Forward(s.SessionA, frame);

        Assert.Equal(frame, s.UplinkSink.Single());
        var sent = s.SessionA.Counters.In.Snapshot();
        Assert.Equal(1, sent.BySize(SizeClass.Bytes14To33));
        Assert.Equal(1, sent.ByStatus(FrameStatus.TruncatedPppoeHeader));
        Assert.Equal(0, sent.DroppedFrames);
    }

    [Fact]
    public void Ipcp_configure_ack_of_32_bytes_crosses_and_is_counted_by_protocol_and_code()
    {
        using var s = new SwitchFixture();
        var ack = IpcpConfigureAck(Concentrator, ClientA);
        Assert.Equal(32, ack.Length);

        s.Switch.Forward(s.SessionA, ack);

        Assert.Equal(ack, s.UplinkSink.Single());
        var delivered = s.Uplink.Counters.Out.Snapshot();
        Assert.Equal(1, delivered.BySize(SizeClass.Bytes14To33));
        Assert.Equal(1, delivered.ByPppProtocol(PppProtocol.Ipcp));
        Assert.Equal(1, delivered.ByPppControl(PppProtocol.Ipcp, PppControlCode.ConfigureAck));
    }

    [Fact]
    public void Shorter_than_an_ethernet_header_is_dropped_as_truncated()
    {
        using var s = new SwitchFixture();

        s.Switch.Forward(s.SessionA, new byte[13]);

        Assert.Empty(s.UplinkSink.Frames);
        var counters = s.SessionA.Counters.In.Snapshot();
        Assert.Equal(1, counters.BySize(SizeClass.Runt));
        Assert.Equal(1, counters.Drops(DropReason.Truncated));
    }

    [Theory]
    [InlineData(1514, 0, true)]
    [InlineData(1515, 0, false)]
    [InlineData(1518, 1, true)]
    [InlineData(1519, 1, false)]
    [InlineData(1522, 2, true)]
    [InlineData(1523, 2, false)]
    public void Largest_frame_follows_the_mtu_and_its_vlan_tags(int length, int tags, bool crosses)
    {
        using var s = new SwitchFixture();
        ushort[] vlans = tags switch { 0 => [], 1 => [100], _ => [100, 200] };
        var frame = Ethernet(Concentrator, ClientA, EtherTypes.PppoeSession, length, vlans);

        s.Switch.Forward(s.SessionA, frame);

        Assert.Equal(crosses ? 1 : 0, s.UplinkSink.Frames.Count);
        Assert.Equal(crosses ? 0 : 1, s.SessionA.Counters.In.Snapshot().Drops(DropReason.Oversize));
    }

    [Fact]
    public void Larger_mtu_lets_larger_frames_cross()
    {
        using var s = new SwitchFixture(new SwitchOptions { Mtu = 9000 });
        var jumbo = Ethernet(Concentrator, ClientA, EtherTypes.PppoeSession, 9014);

        s.Switch.Forward(s.SessionA, jumbo);

        Assert.Equal(jumbo, s.UplinkSink.Single());
    }

    [Theory]
    [InlineData(EtherTypes.IPv4)]
    [InlineData(EtherTypes.Arp)]
    [InlineData(EtherTypes.IPv6)]
    [InlineData((ushort)0x88B5)]
    public void Pppoe_only_policy_drops_other_ether_types_and_counts_them(ushort etherType)
    {
        using var s = new SwitchFixture();
        var frame = Ethernet(MacAddress.Broadcast, ClientA, etherType, 60);

        s.Switch.Forward(s.SessionA, frame);

        Assert.Empty(s.UplinkSink.Frames);
        Assert.Equal(1, s.SessionA.Counters.In.Snapshot().Drops(DropReason.FilteredByPolicy));
    }

    [Fact]
    public void Pppoe_behind_vlan_tags_passes_the_pppoe_only_policy()
    {
        using var s = new SwitchFixture();
        var tagged = Ethernet(MacAddress.Broadcast, ClientA, EtherTypes.PppoeDiscovery, 64, 10, 20);

        s.Switch.Forward(s.SessionA, tagged);

        Assert.Equal(tagged, s.UplinkSink.Single());
        Assert.Equal(1, s.Uplink.Counters.Out.Snapshot().VlanTaggedFrames);
    }

    [Fact]
    public void All_layer2_policy_carries_every_ether_type()
    {
        using var s = new SwitchFixture(new SwitchOptions { Policy = SwitchPolicy.AllLayer2 });
        var arp = Ethernet(MacAddress.Broadcast, ClientA, EtherTypes.Arp, 42);

        s.Switch.Forward(s.SessionA, arp);

        Assert.Equal(arp, s.UplinkSink.Single());
    }

    [Fact]
    public void Policy_can_change_while_frames_flow()
    {
        using var s = new SwitchFixture();
        var arp = Ethernet(MacAddress.Broadcast, ClientA, EtherTypes.Arp, 42);
        s.Switch.Forward(s.SessionA, arp);

        s.Switch.Options = s.Switch.Options with { Policy = SwitchPolicy.AllLayer2 };
        s.Switch.Forward(s.SessionA, arp);

        Assert.Equal(arp, s.UplinkSink.Single());
        Assert.Equal(1, s.SessionA.Counters.In.Snapshot().Drops(DropReason.FilteredByPolicy));
    }

    [Fact]
    public void Invalid_options_are_refused_with_the_key_and_the_value()
    {
        using var s = new SwitchFixture();

        var error = Assert.Throws<ArgumentException>(() => s.Switch.Options = new SwitchOptions { Mtu = 100, MaxMacsPerSession = 0 });

        Assert.Contains("Mtu: 100", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxMacsPerSession: 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sessions_do_not_reach_each_other_when_isolated()
    {
        using var s = new SwitchFixture();
        s.Switch.Forward(s.SessionB, PppoeDiscovery(MacAddress.Broadcast, ClientB, PppoeDiscoveryCode.Padi));
        s.SinkA.Frames.Clear();

        s.Switch.Forward(s.SessionA, PppoeDiscovery(ClientB, ClientA, PppoeDiscoveryCode.Pado));

        Assert.Empty(s.SinkB.Frames);
        Assert.Equal(1, s.SessionA.Counters.In.Snapshot().Drops(DropReason.FilteredByPolicy));
    }

    [Fact]
    public void Sessions_reach_each_other_when_isolation_is_off()
    {
        using var s = new SwitchFixture(new SwitchOptions { IsolateSessions = false });
        s.Switch.Forward(s.SessionB, PppoeDiscovery(MacAddress.Broadcast, ClientB, PppoeDiscoveryCode.Padi));
        var pado = PppoeDiscovery(ClientB, ClientA, PppoeDiscoveryCode.Pado);

        s.Switch.Forward(s.SessionA, pado);

        Assert.Equal(pado, s.SinkB.Single());
    }

    [Fact]
    public void Frame_to_an_address_on_its_own_port_has_no_destination()
    {
        using var s = new SwitchFixture();
        var other = MacAddress.Parse("02:00:00:00:0a:02");
        s.Switch.Forward(s.SessionA, PppoeDiscovery(MacAddress.Broadcast, other, PppoeDiscoveryCode.Padi));
        s.UplinkSink.Frames.Clear();

        s.Switch.Forward(s.SessionA, PppoeDiscovery(other, ClientA, PppoeDiscoveryCode.Padi));

        Assert.Empty(s.UplinkSink.Frames);
        Assert.Equal(1, s.SessionA.Counters.In.Snapshot().Drops(DropReason.NoDestination));
    }

    [Fact]
    public void Group_source_address_is_dropped()
    {
        using var s = new SwitchFixture();

        s.Switch.Forward(s.SessionA, PppoeDiscovery(MacAddress.Broadcast, MacAddress.Parse("03:00:00:00:00:01"), PppoeDiscoveryCode.Padi));

        Assert.Empty(s.UplinkSink.Frames);
        Assert.Equal(1, s.SessionA.Counters.In.Snapshot().Drops(DropReason.InvalidSourceAddress));
    }

    [Fact]
    public void Refused_delivery_is_counted_on_the_egress_port_with_its_reason()
    {
        using var s = new SwitchFixture();
        s.UplinkSink.Refuse = DropReason.QueueFull;
        var padi = PppoeDiscovery(MacAddress.Broadcast, ClientA, PppoeDiscoveryCode.Padi);

        s.Switch.Forward(s.SessionA, padi);

        var egress = s.Uplink.Counters.Out.Snapshot();
        Assert.Equal(0, egress.Frames);
        Assert.Equal(1, egress.Drops(DropReason.QueueFull));
        Assert.Equal(padi.Length, egress.DroppedBytes);
    }

    [Fact]
    public void Frames_in_equal_frames_out_plus_drops()
    {
        using var s = new SwitchFixture();
        s.Switch.Forward(s.SessionA, IpcpConfigureAck(Concentrator, ClientA));
        s.Switch.Forward(s.SessionA, Ethernet(MacAddress.Broadcast, ClientA, EtherTypes.IPv4, 60));
        s.Switch.Forward(s.SessionA, new byte[5]);
        s.Switch.Forward(s.SessionA, PppoeIPv4(Concentrator, ClientA, 1514));

        var sent = s.SessionA.Counters.In.Snapshot();
        var delivered = s.Uplink.Counters.Out.Snapshot();
        Assert.Equal(4, sent.Frames);
        Assert.Equal(sent.Frames, delivered.Frames + sent.DroppedFrames);
        Assert.Equal(32 + 60 + 5 + 1514, sent.Bytes);
        Assert.Equal(32 + 1514, delivered.Bytes);
    }

    [Fact]
    public void Removed_port_drops_what_still_arrives_on_it_and_its_addresses_are_forgotten()
    {
        using var s = new SwitchFixture();
        s.Switch.Forward(s.SessionA, PppoeDiscovery(MacAddress.Broadcast, ClientA, PppoeDiscoveryCode.Padi));

        s.Switch.RemovePort(s.SessionA);
        s.Switch.Forward(s.SessionA, PppoeDiscovery(MacAddress.Broadcast, ClientA, PppoeDiscoveryCode.Padi));

        Assert.Equal(1, s.SessionA.Counters.In.Snapshot().Drops(DropReason.PortClosed));
        Assert.Equal(0, s.SessionA.LearnedMacCount);
        Assert.DoesNotContain(s.SessionA, s.Switch.Ports);
    }
}

using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;
using static Appliance.Tunnel.Tests.Support.FrameBuilder;

namespace Appliance.Tunnel.Tests.Switching;

public sealed class MacLearningTests
{
    [Fact]
    public void Learned_address_ages_out_and_is_flooded_again()
    {
        using var s = new SwitchFixture(new SwitchOptions { MacAgingTime = TimeSpan.FromSeconds(60) });
        s.Switch.Forward(s.SessionA, PppoeDiscovery(MacAddress.Broadcast, ClientA, PppoeDiscoveryCode.Padi));
        var pado = PppoeDiscovery(ClientA, Concentrator, PppoeDiscoveryCode.Pado);

        s.Time.Advance(TimeSpan.FromSeconds(59));
        s.Switch.Forward(s.Uplink, pado);
        Assert.Empty(s.SinkB.Frames);

        s.Time.Advance(TimeSpan.FromSeconds(2));
        s.Switch.Forward(s.Uplink, pado);
        Assert.Single(s.SinkB.Frames);
    }

    [Fact]
    public void Traffic_keeps_an_address_learned()
    {
        using var s = new SwitchFixture(new SwitchOptions { MacAgingTime = TimeSpan.FromSeconds(60) });
        var padi = PppoeDiscovery(MacAddress.Broadcast, ClientA, PppoeDiscoveryCode.Padi);
        for (int i = 0; i < 5; i++)
        {
            s.Switch.Forward(s.SessionA, padi);
            s.Time.Advance(TimeSpan.FromSeconds(30));
        }

        s.Switch.Forward(s.Uplink, PppoeDiscovery(ClientA, Concentrator, PppoeDiscoveryCode.Pado));

        Assert.Empty(s.SinkB.Frames);
    }

    [Fact]
    public void Aged_addresses_are_swept_by_the_switch_and_free_the_ports_quota()
    {
        using var s = new SwitchFixture(new SwitchOptions { MacAgingTime = TimeSpan.FromSeconds(60) });
        s.Switch.Forward(s.SessionA, PppoeDiscovery(MacAddress.Broadcast, ClientA, PppoeDiscoveryCode.Padi));
        Assert.Equal(1, s.SessionA.LearnedMacCount);

        s.Time.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(1, s.Switch.Macs.Count);
        s.Time.Advance(TimeSpan.FromSeconds(20));

        Assert.Equal(0, s.SessionA.LearnedMacCount);
        Assert.Equal(0, s.Switch.Macs.Count);
    }

    [Fact]
    public void Session_cannot_take_an_address_a_live_session_owns()
    {
        using var s = new SwitchFixture();
        s.Switch.Forward(s.SessionA, PppoeDiscovery(MacAddress.Broadcast, ClientA, PppoeDiscoveryCode.Padi));
        s.UplinkSink.Frames.Clear();

        s.Switch.Forward(s.SessionB, PppoeDiscovery(MacAddress.Broadcast, ClientA, PppoeDiscoveryCode.Padi));

        Assert.Empty(s.UplinkSink.Frames);
        Assert.Equal(1, s.SessionB.Counters.In.Snapshot().Drops(DropReason.MacOwnedByOtherPort));
        s.Switch.Forward(s.Uplink, PppoeDiscovery(ClientA, Concentrator, PppoeDiscoveryCode.Pado));
        Assert.Single(s.SinkA.Frames);
        Assert.Empty(s.SinkB.Frames);
    }

    [Fact]
    public void Session_cannot_take_the_concentrators_address()
    {
        using var s = new SwitchFixture();
        s.Switch.Forward(s.Uplink, PppoeDiscovery(ClientA, Concentrator, PppoeDiscoveryCode.Pado));

        s.Switch.Forward(s.SessionB, PppoeDiscovery(MacAddress.Broadcast, Concentrator, PppoeDiscoveryCode.Padi));

        Assert.Equal(1, s.SessionB.Counters.In.Snapshot().Drops(DropReason.MacOwnedByOtherPort));
    }

    [Fact]
    public void Address_moves_once_its_owner_is_removed()
    {
        using var s = new SwitchFixture();
        s.Switch.Forward(s.SessionA, PppoeDiscovery(MacAddress.Broadcast, ClientA, PppoeDiscoveryCode.Padi));
        s.Switch.RemovePort(s.SessionA);

        s.Switch.Forward(s.SessionB, PppoeDiscovery(MacAddress.Broadcast, ClientA, PppoeDiscoveryCode.Padi));
        s.Switch.Forward(s.Uplink, PppoeDiscovery(ClientA, Concentrator, PppoeDiscoveryCode.Pado));

        Assert.Equal(1, s.SessionB.LearnedMacCount);
        Assert.Single(s.SinkB.Frames);
    }

    [Fact]
    public void Address_moves_once_it_has_aged_on_its_old_port()
    {
        using var s = new SwitchFixture(new SwitchOptions { MacAgingTime = TimeSpan.FromSeconds(60) });
        s.Switch.Forward(s.SessionA, PppoeDiscovery(MacAddress.Broadcast, ClientA, PppoeDiscoveryCode.Padi));
        s.Time.Advance(TimeSpan.FromSeconds(61));

        s.Switch.Forward(s.SessionB, PppoeDiscovery(MacAddress.Broadcast, ClientA, PppoeDiscoveryCode.Padi));

        Assert.Equal(0, s.SessionA.LearnedMacCount);
        Assert.Equal(1, s.SessionB.LearnedMacCount);
    }

    [Fact]
    public void Session_beyond_its_mac_limit_drops_frames_from_new_sources()
    {
        using var s = new SwitchFixture(new SwitchOptions { MaxMacsPerSession = 2 });
        for (int i = 1; i <= 3; i++)
            s.Switch.Forward(s.SessionA, PppoeDiscovery(MacAddress.Broadcast, new MacAddress(0x02_00_00_00_0A_00UL + (ulong)i), PppoeDiscoveryCode.Padi));

        Assert.Equal(2, s.UplinkSink.Frames.Count);
        Assert.Equal(2, s.SessionA.LearnedMacCount);
        Assert.Equal(1, s.SessionA.Counters.In.Snapshot().Drops(DropReason.MacLimitReached));

        s.Switch.Forward(s.SessionA, PppoeDiscovery(MacAddress.Broadcast, new MacAddress(0x02_00_00_00_0A_01UL), PppoeDiscoveryCode.Padi));
        Assert.Equal(3, s.UplinkSink.Frames.Count);
    }

    [Fact]
    public void Mac_table_lists_each_address_with_its_port()
    {
        using var s = new SwitchFixture();
        s.Switch.Forward(s.SessionA, PppoeDiscovery(MacAddress.Broadcast, ClientA, PppoeDiscoveryCode.Padi));
        s.Switch.Forward(s.Uplink, PppoeDiscovery(ClientA, Concentrator, PppoeDiscoveryCode.Pado));

        var table = s.Switch.Macs.Snapshot();

        Assert.Equal(2, table.Count);
        Assert.Contains(table, e => e.Address == ClientA && e.Port == s.SessionA);
        Assert.Contains(table, e => e.Address == Concentrator && e.Port == s.Uplink);
        Assert.Equal("02:00:00:00:0a:01", ClientA.ToString());
    }
}

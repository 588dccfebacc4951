using Appliance.Tunnel.Switching;
using Appliance.Tunnel.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tunnel.Tests.Switching;

/// <summary>A switch with one uplink and two sessions over recording sinks, on a fake clock.</summary>
internal sealed class SwitchFixture : IDisposable
{
    public SwitchFixture(SwitchOptions? options = null)
    {
        Switch = new EthernetSwitch(options, Time);
        Uplink = Switch.AddPort("uplink", PortKind.Uplink, UplinkSink);
        SessionA = Switch.AddPort("alice", PortKind.Session, SinkA);
        SessionB = Switch.AddPort("bob", PortKind.Session, SinkB);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero));
    public EthernetSwitch Switch { get; }
    public RecordingSink UplinkSink { get; } = new();
    public RecordingSink SinkA { get; } = new();
    public RecordingSink SinkB { get; } = new();
    public SwitchPort Uplink { get; }
    public SwitchPort SessionA { get; }
    public SwitchPort SessionB { get; }

    public void Dispose() => Switch.Dispose();
}

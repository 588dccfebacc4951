using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Switching;

namespace Appliance.Agent;

/// <summary>The switch's uplink port: the PPPoE NIC, a TAP on a bridge, or (without privileges) a detached port.</summary>
internal sealed class Uplink(AgentOptions options, EthernetSwitch sw) : IHostedService, IFrameSink
{
    private SwitchPort? _port;

    public string Name { get; private set; } = "none";
    public string Kind { get; private set; } = "detached";
    public string Description { get; private set; } = "not started";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Devices are attached in the next step; until then the uplink is a port that refuses frames, counted.
        Name = options.UplinkNic ?? options.UplinkBridge ?? options.LabBridge;
        Kind = "detached";
        _port = sw.AddPort("uplink", PortKind.Uplink, this);
        Description = $"'{Name}' detached";
        return Task.CompletedTask;
    }

    public bool TrySend(ReadOnlySpan<byte> frame, out DropReason reason)
    {
        reason = DropReason.DeviceError;
        return false;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_port is not null)
            sw.RemovePort(_port);
        return Task.CompletedTask;
    }
}

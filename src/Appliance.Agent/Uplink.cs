using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Devices;
using Appliance.Tunnel.Switching;

namespace Appliance.Agent;

/// <summary>The switch's uplink: a raw socket on the PPPoE NIC, a TAP on a bridge, or a lab bridge made for the run.</summary>
/// <remarks>Without the privileges to open devices the uplink stays a detached port that refuses frames (counted as
/// <c>device_error</c>), and <see cref="Description"/> says why.</remarks>
internal sealed class Uplink(UplinkSettings options, EthernetSwitch sw, ILogger<Uplink> log) : IHostedService, IFrameSink, IDisposable
{
    private readonly string UplinkTapName = options.TapName;
    private DevicePort? _devicePort;
    private SwitchPort? _detached;
    private string? _createdBridge;

    public string Name { get; private set; } = "";
    public string Kind { get; private set; } = "detached";
    public string Description { get; private set; } = "not started";

    /// <summary>The agent's uplink TAP (when it uses one).</summary>
    public string TapName => options.TapName;

    /// <summary>The uplink's switch port (counters, metrics), once started.</summary>
    public SwitchPort? Port => _devicePort?.Port ?? _detached;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (options.Nic is { } nic)
            {
                _devicePort = new DevicePort(sw, RawSocketDevice.Open(nic), PortKind.Uplink, "uplink");
                (Name, Kind, Description) = (nic, "raw-nic", $"raw socket on NIC '{nic}'");
            }
            else if (options.Bridge is { } bridge)
            {
                _devicePort = new DevicePort(sw, TapDevice.Open(UplinkTapName, new TapOptions { Bridge = bridge }), PortKind.Uplink, "uplink");
                (Name, Kind, Description) = (bridge, "tap-on-bridge", $"TAP '{UplinkTapName}' on bridge '{bridge}'");
            }
            else
            {
                StartLab();
            }
        }
        catch (DeviceSetupException e)
        {
            // A named uplink that cannot be opened is a configuration error: refuse to run rather than guess.
            if (options.Nic is not null || options.Bridge is not null)
                throw new InvalidOperationException(e.Message, e);
            Detach(e.Message);
        }
        Log.UplinkStarted(log, Description);
        return Task.CompletedTask;
    }

    private void StartLab()
    {
        string bridge = options.LabBridge;
        if (Environment.UserName != "root")
        {
            Detach($"lab bridge '{bridge}' needs root (run ./run.sh as root, or name --uplink-nic / --uplink-bridge)");
            return;
        }
        if (!IpCommand.InterfaceExists(bridge))
        {
            var (ok, error) = IpCommand.Run("link", "add", bridge, "type", "bridge", "mcast_snooping", "0");
            if (!ok)
            {
                Detach($"cannot create lab bridge '{bridge}': {error}");
                return;
            }
            _createdBridge = bridge;
            IpCommand.Run("link", "set", bridge, "up");
        }
        _devicePort = new DevicePort(sw, TapDevice.Open(UplinkTapName, new TapOptions { Bridge = bridge }), PortKind.Uplink, "uplink");
        (Name, Kind, Description) = (bridge, "lab-bridge", $"TAP '{UplinkTapName}' on lab bridge '{bridge}'{(_createdBridge is null ? "" : " (created for this run)")}");
    }

    private void Detach(string why)
    {
        Log.UplinkDetached(log, why);
        _detached = sw.AddPort("uplink", PortKind.Uplink, this);
        (Name, Kind, Description) = ("", "detached", "detached: " + why);
    }

    public bool TrySend(ReadOnlySpan<byte> frame, out DropReason reason)
    {
        reason = DropReason.DeviceError;
        return false;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _devicePort?.Dispose();
        _devicePort = null;
        if (_detached is not null)
            sw.RemovePort(_detached);
        _detached = null;
        if (_createdBridge is not null)
            IpCommand.Run("link", "del", _createdBridge);
        _createdBridge = null;
    }
}

/// <summary>What the uplink attaches to: a NIC, a bridge, or else a lab bridge; and its TAP's name.</summary>
internal sealed record UplinkSettings(string? Nic, string? Bridge, string LabBridge, string TapName)
{
}

using Appliance.Agent.Handover;
using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Devices;
using Appliance.Tunnel.Switching;

namespace Appliance.Agent;

/// <summary>The switch's uplink: a raw socket on the PPPoE NIC, a TAP on a bridge, or a lab bridge made for the run.</summary>
/// <remarks>Without the privileges to open devices the uplink stays a detached port that refuses frames (counted as
/// <c>device_error</c>), and <see cref="Description"/> says why.</remarks>
internal sealed class Uplink(UplinkSettings options, EthernetSwitch sw, AgentHandover handover, ILogger<Uplink> log) : IHostedService, IFrameSink, IDisposable
{
    private readonly string UplinkTapName = options.TapName;
    private DevicePort? _devicePort;
    /// <summary>A second fd of the uplink device, for the next process.</summary>
    private Func<int>? _duplicate;
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
                var adopted = AdoptRaw(nic);
                var device = adopted ?? RawSocketDevice.Open(nic);
                _duplicate = device.DuplicateDescriptor;
                Attach(device, adopted is not null);
                (Name, Kind, Description) = (nic, "raw-nic", $"raw socket on NIC '{nic}'");
            }
            else if (options.Bridge is { } bridge)
            {
                var adopted = AdoptTap(bridge);
                var device = adopted ?? TapDevice.Open(UplinkTapName, new TapOptions { Bridge = bridge });
                _duplicate = device.DuplicateDescriptor;
                Attach(device, adopted is not null);
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
        var adopted = AdoptTap(bridge);
        var device = adopted ?? TapDevice.Open(UplinkTapName, new TapOptions { Bridge = bridge });
        _duplicate = device.DuplicateDescriptor;
        Attach(device, adopted is not null);
        (Name, Kind, Description) = (bridge, "lab-bridge", $"TAP '{UplinkTapName}' on lab bridge '{bridge}'{(_createdBridge is null ? "" : " (created for this run)")}");
    }

    /// <summary>Joins the device to the switch and starts reading it; a device handed over by the previous process only
    /// once the tunnel has put the carried sessions back, so the frames queued in it meanwhile find their ports.</summary>
    private void Attach(IFrameDevice device, bool adopted)
    {
        _device = device;
        if (!adopted)
        {
            _devicePort = new DevicePort(sw, device, PortKind.Uplink, "uplink");
            return;
        }
        handover.WhenSessionsRestored(() =>
        {
            if (_device is not null && _devicePort is null)
                _devicePort = new DevicePort(sw, device, PortKind.Uplink, "uplink");
        });
    }

    private IFrameDevice? _device;

    /// <summary>The previous process's uplink TAP when it was handed over and sits on <paramref name="bridge"/>: its frames
    /// queued meanwhile are read here, and the bridge never sees the port go.</summary>
    private TapDevice? AdoptTap(string bridge)
    {
        if (handover.Incoming?.Take(HandoverBundle.TapName(UplinkTapName)) is not { } fd || fd < 0)
            return null;
        var tap = TapDevice.Adopt(fd, UplinkTapName);
        string master = Path.GetFileName(new FileInfo($"/sys/class/net/{UplinkTapName}/master").LinkTarget ?? "");
        if (master == bridge)
            return tap;
        Log.HandoverNotUsed(log, HandoverBundle.TapName(UplinkTapName), $"it is on bridge '{master}', not '{bridge}'");
        tap.Dispose();
        return null;
    }

    private RawSocketDevice? AdoptRaw(string nic)
    {
        if (handover.Incoming?.Take(HandoverBundle.NicName(nic)) is not { } fd || fd < 0)
            return null;
        return RawSocketDevice.Adopt(fd, nic);
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
        if (handover.Enabled && _duplicate is not null && _device is not null)
        {
            // A second fd keeps the device (and a TAP's place on its bridge) for the next process. A lab bridge this process
            // created still goes (the lab ISP stops with it too), so the next one makes a new TAP there.
            int fd = _duplicate();
            if (fd >= 0)
            {
                handover.Outgoing.Add(options.Nic is { } nic ? HandoverBundle.NicName(nic) : HandoverBundle.TapName(UplinkTapName), fd);
            }
        }
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        if (_devicePort is not null)
            _devicePort.Dispose();
        else
            _device?.Dispose();
        _devicePort = null;
        _device = null;
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

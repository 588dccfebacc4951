using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Devices;
using Appliance.Tunnel.Switching;

namespace Appliance.Tunnel.Tests.Devices;

public sealed class DevicePortTests
{
    private const ulong Client = 0x02_00_5E_10_00_0AUL;
    private const ulong Isp = 0x02_00_5E_10_00_0BUL;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void Every_frame_from_14_to_1522_bytes_crosses_the_switch_unchanged_and_counters_agree_class_by_class()
    {
        using var ethernetSwitch = new EthernetSwitch(new SwitchOptions { Policy = SwitchPolicy.AllLayer2 });
        var sessionDevice = new InMemoryDevice("session", capacity: 8192, maxFrameLength: 1536);
        var uplinkDevice = new InMemoryDevice("uplink", capacity: 8192, maxFrameLength: 1536);
        using var session = new DevicePort(ethernetSwitch, sessionDevice, PortKind.Session);
        using var uplink = new DevicePort(ethernetSwitch, uplinkDevice, PortKind.Uplink);

        var outbound = SweepFrames.Build(Client, Isp);
        foreach (var frame in outbound)
            sessionDevice.Inject(frame);
        Assert.Equal(outbound, TakeAll(uplinkDevice, outbound.Count));

        var inbound = SweepFrames.Build(Isp, Client);
        foreach (var frame in inbound)
            uplinkDevice.Inject(frame);
        Assert.Equal(inbound, TakeAll(sessionDevice, inbound.Count));

        var sessionCounters = session.Port.Counters.Snapshot();
        var uplinkCounters = uplink.Port.Counters.Snapshot();
        SweepFrames.AssertCounted("session In", outbound, sessionCounters.In);
        SweepFrames.AssertCounted("uplink Out", outbound, uplinkCounters.Out);
        SweepFrames.AssertCounted("uplink In", inbound, uplinkCounters.In);
        SweepFrames.AssertCounted("session Out", inbound, sessionCounters.Out);
    }

    [Fact]
    public void Dispose_stops_the_reader_removes_the_port_and_disposes_the_device()
    {
        using var ethernetSwitch = new EthernetSwitch(new SwitchOptions { Policy = SwitchPolicy.AllLayer2 });
        var device = new InMemoryDevice("session");
        var port = new DevicePort(ethernetSwitch, device, PortKind.Session);
        Assert.True(port.IsReading);

        port.Dispose();

        Assert.False(port.IsReading);
        Assert.Empty(ethernetSwitch.Ports);
        Assert.True(device.IsDisposed);
        Assert.False(port.Port.IsLive);
        Assert.False(port.TrySend(InMemoryDeviceTests.Frame(60, 1), out var reason));
        Assert.Equal(DropReason.PortClosed, reason);
        port.Dispose();
    }

    [Fact]
    public void Many_ports_created_and_disposed_leave_no_reader_thread_behind()
    {
        using var ethernetSwitch = new EthernetSwitch(new SwitchOptions { Policy = SwitchPolicy.AllLayer2 });
        var ports = new List<DevicePort>();
        for (int i = 0; i < 32; i++)
            ports.Add(new DevicePort(ethernetSwitch, new InMemoryDevice($"s{i}", capacity: 4, maxFrameLength: 64), PortKind.Session, bufferLength: 64));
        foreach (var port in ports)
            port.Dispose();

        Assert.All(ports, p => Assert.False(p.IsReading));
        Assert.Empty(ethernetSwitch.Ports);
    }

    [Fact]
    public void Device_read_errors_are_counted_and_reading_goes_on()
    {
        using var ethernetSwitch = new EthernetSwitch(new SwitchOptions { Policy = SwitchPolicy.AllLayer2 });
        var flaky = new FlakyDevice(errorsBeforeFrames: 3, InMemoryDeviceTests.Frame(32, 1));
        var uplinkDevice = new InMemoryDevice("uplink");
        using var session = new DevicePort(ethernetSwitch, flaky, PortKind.Session);
        using var uplink = new DevicePort(ethernetSwitch, uplinkDevice, PortKind.Uplink);

        Assert.Equal(InMemoryDeviceTests.Frame(32, 1), TakeAll(uplinkDevice, 1)[0]);
        Assert.Equal(3, session.Port.Counters.In.Snapshot().Drops(DropReason.DeviceError));
    }

    [Fact]
    public void A_device_that_refuses_a_write_is_counted_as_a_drop_on_the_egress_port()
    {
        using var ethernetSwitch = new EthernetSwitch(new SwitchOptions { Policy = SwitchPolicy.AllLayer2 });
        var sessionDevice = new InMemoryDevice("session");
        var uplinkDevice = new InMemoryDevice("uplink", capacity: 1);
        using var session = new DevicePort(ethernetSwitch, sessionDevice, PortKind.Session);
        using var uplink = new DevicePort(ethernetSwitch, uplinkDevice, PortKind.Uplink);

        sessionDevice.Inject(InMemoryDeviceTests.Frame(60, 1));
        sessionDevice.Inject(InMemoryDeviceTests.Frame(60, 2));
        Assert.True(SpinWait.SpinUntil(() => uplink.Port.Counters.Out.Snapshot().DroppedFrames == 1, Patience));

        var counted = uplink.Port.Counters.Out.Snapshot();
        Assert.Equal(1, counted.Frames);
        Assert.Equal(1, counted.Drops(DropReason.QueueFull));
    }

    private static List<byte[]> TakeAll(InMemoryDevice device, int count)
    {
        var frames = new List<byte[]>(count);
        var deadline = DateTime.UtcNow + Patience;
        while (frames.Count < count && DateTime.UtcNow < deadline)
        {
            if (device.TryTake(out var frame))
                frames.Add(frame);
            else
                Thread.Sleep(1);
        }
        return frames;
    }

    /// <summary>Reports errors first, then frames, then blocks until disposed.</summary>
    private sealed class FlakyDevice(int errorsBeforeFrames, params byte[][] frames) : IFrameDevice
    {
        private readonly ManualResetEventSlim _disposed = new();
        private int _errorsLeft = errorsBeforeFrames;
        private int _next;

        public string Name => "flaky";

        public DeviceResult Read(Span<byte> buffer)
        {
            if (_errorsLeft > 0)
            {
                _errorsLeft--;
                return DeviceResult.Error(Errno.EIO);
            }
            if (_next < frames.Length)
            {
                frames[_next].CopyTo(buffer);
                return DeviceResult.Ok(frames[_next++].Length);
            }
            _disposed.Wait();
            return DeviceResult.Closed;
        }

        public DeviceResult Write(ReadOnlySpan<byte> frame) => DeviceResult.Ok(frame.Length);

        public void Dispose() => _disposed.Set();
    }
}

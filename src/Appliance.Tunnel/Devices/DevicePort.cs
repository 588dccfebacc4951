using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Switching;

namespace Appliance.Tunnel.Devices;

/// <summary>Joins an <see cref="IFrameDevice"/> to an <see cref="EthernetSwitch"/>: one reader thread feeds the switch, the switch writes to the device.</summary>
/// <remarks>
/// The reader is one dedicated thread with one reused buffer, so reading allocates nothing per frame.
/// The port owns the device: disposing the port removes it from the switch, disposes the device and joins the thread.
/// </remarks>
public sealed class DevicePort : IFrameSink, IDisposable
{
    /// <summary>Room for the largest frame a Linux interface carries (MTU 65535 + header + tags).</summary>
    public const int DefaultBufferLength = 65536 + 64;

    private static readonly TimeSpan MaxErrorBackoff = TimeSpan.FromMilliseconds(100);

    private readonly EthernetSwitch _switch;
    private readonly IFrameDevice _device;
    private readonly Thread _reader;
    private readonly ManualResetEventSlim _stopping = new();
    private readonly int _bufferLength;
    private int _disposed;

    public DevicePort(EthernetSwitch ethernetSwitch, IFrameDevice device, PortKind kind, string? name = null, int bufferLength = DefaultBufferLength)
    {
        ArgumentNullException.ThrowIfNull(ethernetSwitch);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferLength, 14);
        _switch = ethernetSwitch;
        _device = device;
        _bufferLength = bufferLength;
        Port = ethernetSwitch.AddPort(name ?? device.Name, kind, this);
        _reader = new Thread(ReadLoop)
        {
            IsBackground = true,
            Name = $"port {Port.Id} reader ({device.Name})",
        };
        _reader.Start();
    }

    public SwitchPort Port { get; }

    public IFrameDevice Device => _device;

    /// <summary>True while the reader thread runs; false after <see cref="Dispose"/> returns.</summary>
    public bool IsReading => _reader.IsAlive;

    public bool TrySend(ReadOnlySpan<byte> frame, out DropReason reason)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            reason = DropReason.PortClosed;
            return false;
        }
        var result = _device.Write(frame);
        switch (result.Status)
        {
            case DeviceStatus.Ok:
                reason = default;
                return true;
            case DeviceStatus.Closed:
                reason = DropReason.PortClosed;
                return false;
            default:
                reason = result.ErrorCode is Errno.ENOBUFS or Errno.EAGAIN ? DropReason.QueueFull : DropReason.DeviceError;
                return false;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _switch.RemovePort(Port);
        _stopping.Set();
        _device.Dispose();
        if (Thread.CurrentThread != _reader)
            _reader.Join();
        _stopping.Dispose();
    }

    public override string ToString() => $"{Port} on {_device}";

    private void ReadLoop()
    {
        var buffer = new byte[_bufferLength];
        var backoff = TimeSpan.Zero;
        while (true)
        {
            var result = _device.Read(buffer);
            if (result.Status == DeviceStatus.Ok)
            {
                backoff = TimeSpan.Zero;
                _switch.Forward(Port, buffer.AsSpan(0, result.Length));
                continue;
            }
            if (result.Status == DeviceStatus.Closed || Volatile.Read(ref _disposed) != 0)
                return;
            Port.Counters.In.RecordDrop(DropReason.DeviceError, 0);
            // A device stuck in error (link deleted, NIC down) must not spin a core: back off up to 100 ms.
            backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxErrorBackoff.Ticks));
            if (_stopping.Wait(backoff))
                return;
        }
    }
}

using Appliance.Tunnel.Devices;

namespace Appliance.EndToEnd.Tests.Support;

/// <summary>Reads a device on its own thread until it reports Closed, keeping a copy of every frame.</summary>
public sealed class FrameCollector
{
    private readonly IFrameDevice _device;
    private readonly Thread _thread;
    private readonly List<byte[]> _frames = [];
    private readonly List<int> _errors = [];

    public FrameCollector(IFrameDevice device)
    {
        _device = device;
        _thread = new Thread(Run) { IsBackground = true, Name = $"collector {device.Name}" };
        _thread.Start();
    }

    public int Count
    {
        get
        {
            lock (_frames)
                return _frames.Count;
        }
    }

    public IReadOnlyList<int> Errors
    {
        get
        {
            lock (_frames)
                return [.. _errors];
        }
    }

    public bool IsRunning => _thread.IsAlive;

    /// <summary>Frames received so far, from <paramref name="start"/> on.</summary>
    public List<byte[]> Frames(int start = 0)
    {
        lock (_frames)
            return _frames.GetRange(start, _frames.Count - start);
    }

    public bool WaitForCount(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_frames)
        {
            while (_frames.Count < count)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                    return false;
                Monitor.Wait(_frames, left);
            }
            return true;
        }
    }

    /// <summary>True when the thread ended within <paramref name="timeout"/> (the device returned Closed).</summary>
    public bool Join(TimeSpan timeout) => _thread.Join(timeout);

    private void Run()
    {
        var buffer = new byte[65536];
        while (true)
        {
            var result = _device.Read(buffer);
            lock (_frames)
            {
                if (result.Status == DeviceStatus.Closed)
                    return;
                if (result.Status == DeviceStatus.Error)
                    _errors.Add(result.ErrorCode);
                else
                    _frames.Add(buffer.AsSpan(0, result.Length).ToArray());
                Monitor.PulseAll(_frames);
            }
        }
    }
}

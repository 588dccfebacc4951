namespace Appliance.Tunnel.Devices;

/// <summary>A device double (like wireguard-go's tun/tuntest): a test injects frames for the engine to read and takes what the engine wrote.</summary>
/// <remarks>
/// Both directions are bounded queues of preallocated slots, so the engine side (<see cref="Read"/>,
/// <see cref="Write"/>) behaves like a real device: it blocks on read, never allocates, reports a full
/// queue as <see cref="Errno.ENOBUFS"/> and a frame too long for the reader's buffer as <see cref="Errno.EMSGSIZE"/>.
/// </remarks>
public sealed class InMemoryDevice : IFrameDevice
{
    private readonly InMemoryFrameQueue _toEngine;
    private readonly InMemoryFrameQueue _fromEngine;
    private long _framesRead;
    private long _framesWritten;
    private volatile bool _disposed;

    public InMemoryDevice(string name = "memory", int capacity = 256, int maxFrameLength = 2048)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameLength, 14);
        Name = name;
        _toEngine = new InMemoryFrameQueue(capacity, maxFrameLength);
        _fromEngine = new InMemoryFrameQueue(capacity, maxFrameLength);
    }

    public string Name { get; }

    public int MaxFrameLength => _toEngine.MaxFrameLength;

    /// <summary>Frames injected and not yet read by the engine.</summary>
    public int PendingToEngine => _toEngine.Count;

    /// <summary>Frames the engine wrote and the test has not taken.</summary>
    public int PendingFromEngine => _fromEngine.Count;

    public long FramesRead => Interlocked.Read(ref _framesRead);

    public long FramesWritten => Interlocked.Read(ref _framesWritten);

    public bool IsDisposed => _disposed;

    // Engine side.

    public DeviceResult Read(Span<byte> buffer)
    {
        int length = _toEngine.Dequeue(buffer);
        if (length == -1)
            return DeviceResult.Closed;
        if (length == -2)
            return DeviceResult.Error(Errno.EMSGSIZE);
        Interlocked.Increment(ref _framesRead);
        return DeviceResult.Ok(length);
    }

    public DeviceResult Write(ReadOnlySpan<byte> frame)
    {
        if (_disposed)
            return DeviceResult.Closed;
        if (frame.Length > _fromEngine.MaxFrameLength)
            return DeviceResult.Error(Errno.EMSGSIZE);
        if (!_fromEngine.TryEnqueue(frame))
            return _disposed ? DeviceResult.Closed : DeviceResult.Error(Errno.ENOBUFS);
        Interlocked.Increment(ref _framesWritten);
        return DeviceResult.Ok(frame.Length);
    }

    // Test side.

    /// <summary>Queues a frame for the engine to read, waiting while the queue is full.</summary>
    /// <exception cref="ObjectDisposedException">The device was disposed.</exception>
    public void Inject(ReadOnlySpan<byte> frame)
    {
        CheckLength(frame);
        bool queued = _toEngine.Enqueue(frame, wait: true);
        ObjectDisposedException.ThrowIf(!queued, this);
    }

    /// <summary>Queues a frame for the engine unless the queue is full or the device disposed.</summary>
    public bool TryInject(ReadOnlySpan<byte> frame)
    {
        CheckLength(frame);
        return _toEngine.TryEnqueue(frame);
    }

    /// <summary>The oldest frame the engine wrote, if any (still available after dispose).</summary>
    public bool TryTake(out byte[] frame) => _fromEngine.TryDequeue(out frame);

    /// <summary>Copies the oldest frame the engine wrote without allocating; false when none.</summary>
    /// <exception cref="ArgumentException">The frame does not fit (it is consumed).</exception>
    public bool TryTake(Span<byte> destination, out int length)
    {
        length = _fromEngine.TryDequeue(destination);
        if (length == -2)
            throw new ArgumentException("the frame is longer than the destination", nameof(destination));
        return length >= 0;
    }

    /// <summary>Waits for the next frame the engine writes.</summary>
    /// <exception cref="ObjectDisposedException">Disposed with nothing left to take.</exception>
    public ValueTask<byte[]> TakeAsync(CancellationToken cancellationToken = default) =>
        _fromEngine.DequeueAsync(Name, cancellationToken);

    /// <summary>Makes a blocked <see cref="Read"/> return Closed; frames the engine wrote can still be taken.</summary>
    public void Dispose()
    {
        _disposed = true;
        _toEngine.Close();
        _fromEngine.Close();
    }

    public override string ToString() => $"in-memory device '{Name}'";

    private void CheckLength(ReadOnlySpan<byte> frame)
    {
        if (frame.Length > _toEngine.MaxFrameLength)
            throw new ArgumentException($"frame of {frame.Length} bytes exceeds this device's {_toEngine.MaxFrameLength}-byte slots", nameof(frame));
    }
}

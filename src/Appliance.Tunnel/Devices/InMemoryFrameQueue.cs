namespace Appliance.Tunnel.Devices;

/// <summary>A bounded FIFO of frames in preallocated slots: copying in and out allocates nothing.</summary>
/// <remarks>Thread-safe, one lock. Built for tests and benchmarks, not for a data path that must scale.</remarks>
internal sealed class InMemoryFrameQueue
{
    private readonly object _gate = new();
    private readonly byte[] _slots;
    private readonly int[] _lengths;
    private readonly int _slotLength;
    private int _head;
    private int _count;
    private bool _closed;
    private TaskCompletionSource? _arrival;

    public InMemoryFrameQueue(int capacity, int maxFrameLength)
    {
        _slotLength = maxFrameLength;
        _slots = new byte[capacity * maxFrameLength];
        _lengths = new int[capacity];
    }

    public int Capacity => _lengths.Length;

    public int MaxFrameLength => _slotLength;

    public int Count
    {
        get
        {
            lock (_gate)
                return _count;
        }
    }

    /// <summary>Copies a frame in; false when the queue is full or closed.</summary>
    public bool TryEnqueue(ReadOnlySpan<byte> frame) => Enqueue(frame, wait: false);

    /// <summary>Copies a frame in, waiting for room; false once closed.</summary>
    public bool Enqueue(ReadOnlySpan<byte> frame, bool wait)
    {
        TaskCompletionSource? arrival;
        lock (_gate)
        {
            while (_count == _lengths.Length && !_closed && wait)
                Monitor.Wait(_gate);
            if (_closed || _count == _lengths.Length)
                return false;
            int slot = (_head + _count) % _lengths.Length;
            frame.CopyTo(_slots.AsSpan(slot * _slotLength, _slotLength));
            _lengths[slot] = frame.Length;
            _count++;
            Monitor.PulseAll(_gate);
            arrival = _arrival;
            _arrival = null;
        }
        arrival?.TrySetResult();
        return true;
    }

    /// <summary>Blocks for the next frame; -1 once closed (frames left are not handed out), -2 when it does not fit (it is consumed).</summary>
    public int Dequeue(Span<byte> destination)
    {
        lock (_gate)
        {
            while (_count == 0 && !_closed)
                Monitor.Wait(_gate);
            if (_closed)
                return -1;
            return TakeLocked(destination);
        }
    }

    /// <summary>The next frame if any, else -1; -2 when it does not fit (it is consumed). Frames left after close are still handed out.</summary>
    public int TryDequeue(Span<byte> destination)
    {
        lock (_gate)
            return _count == 0 ? -1 : TakeLocked(destination);
    }

    public bool TryDequeue(out byte[] frame)
    {
        lock (_gate)
        {
            if (_count == 0)
            {
                frame = [];
                return false;
            }
            frame = new byte[_lengths[_head]];
            TakeLocked(frame);
            return true;
        }
    }

    /// <summary>Waits for the next frame; throws <see cref="ObjectDisposedException"/> once closed and empty.</summary>
    public async ValueTask<byte[]> DequeueAsync(string owner, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task arrival;
            lock (_gate)
            {
                if (TryDequeue(out var frame))
                    return frame;
                ObjectDisposedException.ThrowIf(_closed, owner);
                _arrival ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                arrival = _arrival.Task;
            }
            await arrival.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Wakes every waiter; later enqueues fail.</summary>
    public void Close()
    {
        TaskCompletionSource? arrival;
        lock (_gate)
        {
            _closed = true;
            Monitor.PulseAll(_gate);
            arrival = _arrival;
            _arrival = null;
        }
        arrival?.TrySetResult();
    }

    private int TakeLocked(Span<byte> destination)
    {
        int length = _lengths[_head];
        int result = -2;
        if (length <= destination.Length)
        {
            _slots.AsSpan(_head * _slotLength, length).CopyTo(destination);
            result = length;
        }
        _head = (_head + 1) % _lengths.Length;
        _count--;
        Monitor.PulseAll(_gate);
        return result;
    }
}

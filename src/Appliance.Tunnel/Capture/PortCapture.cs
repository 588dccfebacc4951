using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;

namespace Appliance.Tunnel.Capture;

/// <summary>Records a switch port's frames, both directions, into a bounded pcapng file.</summary>
/// <remarks>
/// <para><see cref="OnFrame"/> runs on the data path, on several threads at once. It copies the frame into one
/// preallocated slot of a bounded ring under a short lock (a copy of at most <see cref="CaptureOptions.SnapLength"/>
/// bytes, no I/O) and returns; a frame that finds the ring full is counted in <see cref="FramesLost"/>, never waited
/// for. One background thread owns the <see cref="PcapNgWriter"/> and the stream and does all I/O, so a slow disk
/// delays only the capture, never the switch. A lock-protected buffered write on the data path was rejected because
/// a buffer flush would put a disk write, of unbounded latency, inside <c>Forward</c>.</para>
/// <para>Bounds are decided when a frame is taken, under the same lock, from the exact block sizes the writer will
/// produce: the file never exceeds <see cref="CaptureOptions.MaxFileBytes"/>, and the frame count and stop reason are
/// final the moment a bound is hit, whatever the writer's progress.</para>
/// </remarks>
public sealed class PortCapture : IPortTap, IDisposable
{
    private const string Application = "Appliance.Tunnel";
    private static ReadOnlySpan<byte> RedactedComment => "PAP/CHAP credentials zeroed by capture"u8;

    private readonly Lock _gate = new();
    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private readonly PcapNgWriter _writer;
    private readonly TimeProvider _time;
    private readonly ITimer _timeLimit;
    private readonly Thread _writerThread;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _interfaceId;
    private readonly long _startNanoseconds;
    private readonly long _maxDurationNanoseconds;
    private readonly long _maxFileBytes;
    private readonly long _maxFrames;
    private readonly int _snapLength;
    private readonly bool _redact;
    private SwitchPort? _port;

    // The ring: slot i holds bytes [i * snap, i * snap + length) of _buffer. Guarded by _gate.
    private readonly byte[] _buffer;
    private readonly Slot[] _slots;
    private int _head;
    private int _tail;
    private int _queued;
    private bool _writerIdle;
    private long _lostSinceLastFrame;

    // Written under _gate; read anywhere.
    private long _framesCaptured;
    private long _bytesCaptured;
    private long _framesLost;
    private long _fileBytes;
    private volatile CaptureStopReason _stopReason;
    private volatile CaptureState _state;

    /// <summary>Starts a capture that writes to <paramref name="output"/>; attach it with <c>port.Tap = capture</c> or use <see cref="Attach"/>.</summary>
    /// <param name="output">Receives the pcapng file; closed by <see cref="Stop"/> unless <paramref name="leaveOpen"/>.</param>
    /// <param name="interfaceName">Written as the interface's <c>if_name</c>: the port's name.</param>
    public PortCapture(Stream output, string interfaceName, CaptureOptions? options = null, TimeProvider? time = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        options ??= new CaptureOptions();
        options.ThrowIfInvalid();
        Options = options;
        InterfaceName = interfaceName;
        _output = output;
        _leaveOpen = leaveOpen;
        _time = time ?? TimeProvider.System;
        _snapLength = options.SnapLength;
        _redact = options.RedactCredentials;
        _maxFileBytes = options.MaxFileBytes;
        _maxFrames = options.MaxFrames ?? long.MaxValue;
        _maxDurationNanoseconds = options.MaxDuration.Ticks * NanosecondsPerTick;
        _buffer = GC.AllocateUninitializedArray<byte>(options.BufferFrames * options.SnapLength);
        _slots = new Slot[options.BufferFrames];

        _writer = new PcapNgWriter(output);
        _writer.WriteSectionHeader(Application);
        _interfaceId = _writer.WriteInterfaceDescription(interfaceName, options.SnapLength);
        _fileBytes = _writer.BytesWritten;
        _startNanoseconds = UnixNanoseconds(_time.GetUtcNow());

        _timeLimit = _time.CreateTimer(static state => ((PortCapture)state!).Halt(CaptureStopReason.TimeLimit),
            this, options.MaxDuration, Timeout.InfiniteTimeSpan);
        _writerThread = new Thread(WriteLoop) { IsBackground = true, Name = "capture " + interfaceName };
        _writerThread.Start();
    }

    /// <summary>Starts a capture of <paramref name="port"/> and attaches it as the port's tap; <see cref="Stop"/> detaches it.</summary>
    public static PortCapture Attach(SwitchPort port, Stream output, CaptureOptions? options = null, TimeProvider? time = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(port);
        if (port.Tap is not null)
            throw new InvalidOperationException($"{port} already has a tap; stop its capture before starting another");
        var capture = new PortCapture(output, port.Name, options, time, leaveOpen) { _port = port };
        port.Tap = capture;
        return capture;
    }

    public CaptureOptions Options { get; }
    public string InterfaceName { get; }

    /// <summary>Frames taken into the capture (all written, unless <see cref="StopReason"/> is <see cref="CaptureStopReason.OutputFailed"/>).</summary>
    public long FramesCaptured => Interlocked.Read(ref _framesCaptured);
    /// <summary>Bytes of the captured frames as they were on the wire (before snap length).</summary>
    public long BytesCaptured => Interlocked.Read(ref _bytesCaptured);
    /// <summary>Frames that were seen while recording but are not in the file: the buffer was full, or the output failed.</summary>
    public long FramesLost => Interlocked.Read(ref _framesLost);
    /// <summary>Size the file has, or will have once the buffered frames are written.</summary>
    public long FileBytes => Interlocked.Read(ref _fileBytes);
    public CaptureState State => _state;
    public CaptureStopReason StopReason => _stopReason;
    /// <summary>The error that stopped the writer, when <see cref="StopReason"/> is <see cref="CaptureStopReason.OutputFailed"/>.</summary>
    public Exception? Failure { get; private set; }
    /// <summary>Completes once the file is flushed and closed.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Frames taken but not yet written.</summary>
    internal int QueuedFrames
    {
        get
        {
            lock (_gate)
                return _queued;
        }
    }

    /// <summary>Copies one frame into the ring. Never blocks on I/O, never allocates, never throws into the switch.</summary>
    public void OnFrame(ReadOnlySpan<byte> frame, FrameDirection direction)
    {
        if (_stopReason != CaptureStopReason.None)
            return;
        long now = UnixNanoseconds(_time.GetUtcNow());
        if (now - _startNanoseconds >= _maxDurationNanoseconds)
        {
            Halt(CaptureStopReason.TimeLimit);
            return;
        }

        int captured = Math.Min(frame.Length, _snapLength);
        // Classified outside the lock: only the authentication frames need it, but the test is the classification.
        var info = _redact ? FrameClassifier.Classify(frame) : default;
        bool wake = false;
        lock (_gate)
        {
            if (_stopReason != CaptureStopReason.None)
                return;
            if (_queued == _slots.Length)
            {
                _framesLost++;
                _lostSinceLastFrame++;
                return;
            }

            int index = _head;
            var copy = _buffer.AsSpan(index * _snapLength, captured);
            frame[..captured].CopyTo(copy);
            bool redacted = _redact && CredentialRedactor.Redact(copy, info);
            long blockLength = PcapNgWriter.EnhancedPacketLength(captured, _lostSinceLastFrame, redacted ? RedactedComment.Length : 0);
            if (_fileBytes + blockLength > _maxFileBytes)
            {
                wake = HaltLocked(CaptureStopReason.SizeLimit);
            }
            else
            {
                _slots[index] = new Slot(captured, frame.Length, now, direction, _lostSinceLastFrame, redacted);
                _lostSinceLastFrame = 0;
                _head = index + 1 == _slots.Length ? 0 : index + 1;
                _queued++;
                _fileBytes += blockLength;
                _bytesCaptured += frame.Length;
                if (++_framesCaptured >= _maxFrames)
                    HaltLocked(CaptureStopReason.FrameLimit);
                if (_writerIdle)
                {
                    _writerIdle = false;
                    wake = true;
                }
            }
        }
        if (wake)
            _wake.Release();
    }

    /// <summary>Stops recording, writes what is buffered, flushes and closes the file, and detaches from the port. Idempotent.</summary>
    /// <remarks>Blocks until the writer is done; a bound already hit keeps its own <see cref="StopReason"/>.</remarks>
    public void Stop()
    {
        Halt(CaptureStopReason.Stopped);
        if (Thread.CurrentThread != _writerThread)
            _writerThread.Join();
        _timeLimit.Dispose();
    }

    public void Dispose() => Stop();

    private void Halt(CaptureStopReason reason)
    {
        bool wake;
        lock (_gate)
            wake = HaltLocked(reason);
        if (wake)
            _wake.Release();
    }

    /// <summary>Records the first stop reason; returns true when the idle writer must be woken to finish.</summary>
    private bool HaltLocked(CaptureStopReason reason)
    {
        if (_stopReason != CaptureStopReason.None)
            return false;
        _stopReason = reason;
        _state = CaptureState.Stopping;
        if (!_writerIdle)
            return false;
        _writerIdle = false;
        return true;
    }

    private void WriteLoop()
    {
        bool unflushed = false;
        try
        {
            while (true)
            {
                int start, count;
                bool halted;
                lock (_gate)
                {
                    start = _tail;
                    count = _queued;
                    halted = _stopReason != CaptureStopReason.None;
                    if (count == 0 && !halted)
                        _writerIdle = true;
                }
                if (count == 0)
                {
                    if (halted)
                        break;
                    if (unflushed)
                    {
                        // Idle: let a reader of the growing file see everything taken so far.
                        _writer.Flush();
                        unflushed = false;
                    }
                    _wake.Wait();
                    continue;
                }

                for (int i = 0, index = start; i < count; i++, index = index + 1 == _slots.Length ? 0 : index + 1)
                {
                    ref readonly var slot = ref _slots[index];
                    _writer.WriteEnhancedPacket(_interfaceId, slot.Timestamp, _buffer.AsSpan(index * _snapLength, slot.CapturedLength),
                        slot.OriginalLength, slot.Direction, slot.LostBefore, slot.Redacted ? RedactedComment : default);
                }
                unflushed = true;
                lock (_gate)
                {
                    _tail = (start + count) % _slots.Length;
                    _queued -= count;
                }
            }
            _writer.Flush();
        }
        catch (Exception error)
        {
            Failure = error;
            lock (_gate)
            {
                HaltLocked(CaptureStopReason.OutputFailed);
                // Taken but never written: lost, and said so.
                _framesLost += _queued;
                _queued = 0;
            }
        }
        finally
        {
            if (!_leaveOpen)
            {
                try
                {
                    _output.Dispose();
                }
                catch (Exception error)
                {
                    // Closing flushes: a failure here loses data, so it is reported like any write failure.
                    Failure ??= error;
                }
            }
            var port = _port;
            if (port is not null && ReferenceEquals(port.Tap, this))
                port.Tap = null;
            _state = CaptureState.Stopped;
            _completion.TrySetResult();
        }
    }

    private const long NanosecondsPerTick = 100;

    private static long UnixNanoseconds(DateTimeOffset time) =>
        (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * NanosecondsPerTick;

    private readonly record struct Slot(int CapturedLength, int OriginalLength, long Timestamp, FrameDirection Direction, long LostBefore, bool Redacted);
}

using System.Threading.Channels;
using Appliance.Tunnel.Control.Reliability;

namespace Appliance.Tunnel.Control.Tls;

/// <summary>The byte stream TLS runs on: reads yield the in-order payloads of received control packets, writes are cut into reliable messages.</summary>
/// <remarks>
/// The one thread-safe seam between <see cref="System.Net.Security.SslStream"/> (async, any thread) and the key state's loop,
/// which owns the <see cref="ReliableChannel"/> and calls <see cref="Exchange"/> after every event. Both directions are
/// bounded queues of chunks: a write waits while the outbound queue is full (back-pressure up to TLS); the loop
/// leaves payloads in the receive window while the inbound queue is full. After <see cref="CompleteInbound"/> reads
/// drain what is queued and then return 0. SslStream issues at most one read and one write at a time.
/// </remarks>
public sealed class ControlChannelStream : Stream
{
    /// <summary>Default payload size of one control packet: keeps a tls-crypt packet with 4 ACKs near 1150 bytes, under 2.6's ~1250.</summary>
    public const int DefaultMaxChunkLength = 1100;

    private readonly Channel<ReadOnlyMemory<byte>> _inbound;
    private readonly Channel<ReadOnlyMemory<byte>> _outbound;
    private readonly Channel<bool> _activity;
    private readonly int _maxChunkLength;
    private readonly int _inboundCapacity;
    private ReadOnlyMemory<byte> _current;
    private ReadOnlyMemory<byte> _pendingOutbound;
    private long _bytesRead, _bytesWritten;

    public ControlChannelStream(int maxChunkLength = DefaultMaxChunkLength, int inboundCapacity = 32, int outboundCapacity = 32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChunkLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inboundCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outboundCapacity, 1);
        _maxChunkLength = maxChunkLength;
        _inboundCapacity = inboundCapacity;
        _inbound = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(inboundCapacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _outbound = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(outboundCapacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _activity = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    }

    public int MaxChunkLength => _maxChunkLength;

    /// <summary>Bytes handed to TLS so far.</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>Bytes TLS wrote so far.</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    /// <summary>Completes when TLS wrote something or read something (freeing inbound room): the loop should <see cref="Exchange"/> again.</summary>
    /// <remarks>Returns at once if activity happened since the last wait; also returns once the stream is disposed.</remarks>
    public async ValueTask WaitForActivityAsync(CancellationToken cancellationToken = default)
    {
        while (!_activity.Reader.TryRead(out _))
        {
            if (!await _activity.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                return;
        }
    }

    /// <summary>Loop side: offers one received in-order payload; false when the inbound queue is full or completed.</summary>
    public bool TryDeliverInbound(ReadOnlyMemory<byte> payload) => payload.IsEmpty || _inbound.Writer.TryWrite(payload);

    /// <summary>Loop side: takes one chunk TLS wrote (≤ <see cref="MaxChunkLength"/> bytes), if any.</summary>
    public bool TryTakeOutbound(out ReadOnlyMemory<byte> chunk) => _outbound.Reader.TryRead(out chunk);

    /// <summary>
    /// Loop side: moves delivered payloads from <paramref name="channel"/> into this stream while there is room,
    /// and chunks TLS wrote into the channel's sender while it accepts them.
    /// </summary>
    /// <returns>True if anything moved.</returns>
    public bool Exchange(ReliableChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        bool moved = false;
        // A payload is only taken from the receive window when the queue has room for it, so none is lost.
        while (HasInboundRoom && channel.TryTakeDelivered(out var payload))
        {
            _inbound.Writer.TryWrite(payload);
            moved = true;
        }
        while (channel.CanEnqueue)
        {
            if (_pendingOutbound.IsEmpty && !_outbound.Reader.TryRead(out _pendingOutbound))
                break;
            var result = channel.Enqueue(ReliableMessageKind.Control, _pendingOutbound);
            if (result == EnqueueResult.TooLarge)
                throw new InvalidOperationException($"chunk of {_pendingOutbound.Length} bytes exceeds the channel's MaxPayloadLength {channel.Options.MaxPayloadLength}; configure MaxChunkLength below it");
            if (result != EnqueueResult.Queued)
                break;
            _pendingOutbound = default;
            moved = true;
        }
        return moved;
    }

    // Only the loop writes inbound, and TLS only ever lowers the count, so check-then-write cannot overflow.
    private bool HasInboundRoom => _inbound.Reader.Count < _inboundCapacity;

    /// <summary>Loop side: no more inbound bytes will come (session closed, EXIT, timeout); TLS reads return 0 once drained.</summary>
    public void CompleteInbound() => _inbound.Writer.TryComplete();

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override int Read(Span<byte> buffer)
    {
        byte[] scratch = new byte[buffer.Length];
        int n = ReadAsync(scratch).AsTask().GetAwaiter().GetResult();
        scratch.AsSpan(0, n).CopyTo(buffer);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
            return 0;
        if (_current.IsEmpty)
        {
            while (!_inbound.Reader.TryRead(out _current))
            {
                if (!await _inbound.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                    return 0;
            }
            _activity.Writer.TryWrite(true);
        }
        int n = Math.Min(buffer.Length, _current.Length);
        _current[..n].CopyTo(buffer);
        _current = _current[n..];
        Interlocked.Add(ref _bytesRead, n);
        return n;
    }

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(ReadOnlySpan<byte> buffer) =>
        WriteAsync(buffer.ToArray()).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // TLS reuses its buffer after the write returns: every chunk is a copy the sender may keep until acknowledged.
        while (!buffer.IsEmpty)
        {
            int n = Math.Min(buffer.Length, _maxChunkLength);
            byte[] chunk = buffer[..n].ToArray();
            await _outbound.Writer.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
            _activity.Writer.TryWrite(true);
            buffer = buffer[n..];
            Interlocked.Add(ref _bytesWritten, n);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inbound.Writer.TryComplete();
            _outbound.Writer.TryComplete();
            _activity.Writer.TryComplete();
        }
        base.Dispose(disposing);
    }
}

namespace Appliance.Tunnel.Control.Reliability;

/// <summary>The reliability layer of one key-id: receive window, send window, ACK bookkeeping and the handshake deadline, with no byte layout.</summary>
/// <remarks>
/// Not thread-safe: owned by one key state's loop, which after every event (packet in, timer, TLS wrote) does:
/// <list type="number">
/// <item><see cref="ReceiveControl"/> or <see cref="ReceiveAck"/> for each decoded packet of this key-id;</item>
/// <item><see cref="TryTakeDelivered"/> until false, feeding the bytes to TLS;</item>
/// <item><see cref="Enqueue"/> TLS output while <see cref="CanEnqueue"/>;</item>
/// <item><see cref="TryTakePacket"/> until false, then <see cref="TakePureAck"/> until 0, encoding and sending each;</item>
/// <item>sleep until <see cref="TimeUntilNextEvent"/> or the next event; check <see cref="Status"/> for expiry.</item>
/// </list>
/// </remarks>
public sealed class ReliableChannel
{
    private readonly TimeProvider _time;
    private readonly ReliabilityOptions _options;
    private readonly ReliableReceiver _receiver;
    private readonly ReliableSender _sender;
    private readonly AckTracker _acks;
    private readonly long _startedAt;
    private readonly long _deadline;
    private bool _established;
    private long _packetsReceived, _duplicates, _beyondWindow, _tooLarge, _acksReceived, _packetsSent, _pureAcksSent;

    public ReliableChannel(byte keyId, ReliabilityOptions? options = null, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(keyId, (byte)7);
        _options = options ?? ReliabilityOptions.Default;
        _options.ThrowIfInvalid();
        _time = time ?? TimeProvider.System;
        KeyId = keyId;
        _receiver = new ReliableReceiver(_options.ReceiveWindow, _options.MaxPayloadLength);
        _sender = new ReliableSender(_options, _time);
        _acks = new AckTracker(_options.PendingAckCapacity, _options.RecentAckCapacity);
        _startedAt = _time.GetTimestamp();
        _deadline = _startedAt + (long)(_options.HandshakeWindow.TotalSeconds * _time.TimestampFrequency);
        HandshakeDeadline = _time.GetUtcNow() + _options.HandshakeWindow;
    }

    /// <summary>The key-id (0..7) every packet of this channel carries.</summary>
    public byte KeyId { get; }

    public ReliabilityOptions Options => _options;

    /// <summary>Wall-clock instant by which the negotiation must be <see cref="MarkEstablished">established</see>.</summary>
    public DateTimeOffset HandshakeDeadline { get; }

    public HandshakeStatus Status =>
        _established ? HandshakeStatus.Established
        : _time.GetTimestamp() >= _deadline ? HandshakeStatus.Expired
        : HandshakeStatus.Negotiating;

    /// <summary>True when the peer has acknowledged everything we queued (2.6's client waits for this before leaving "sent key").</summary>
    public bool AllSentAcknowledged => _sender.IsIdle;

    public bool CanEnqueue => _sender.CanEnqueue;

    /// <summary>The id the peer's next new packet should carry.</summary>
    public uint NextExpectedMessageId => _receiver.NextExpected;

    public ReliableReceiver Receiver => _receiver;
    public ReliableSender Sender => _sender;
    public AckTracker Acks => _acks;

    public ReliableChannelCounters Counters => new(
        _packetsReceived, _duplicates, _beyondWindow, _tooLarge, _acksReceived,
        _packetsSent, _sender.Retransmissions, _pureAcksSent, _acks.Dropped);

    /// <summary>Declares TLS and the key exchange finished; the handshake deadline stops applying.</summary>
    public void MarkEstablished() => _established = true;

    /// <summary>A packet with a message id (reset, control): its ACK block first, then the message.</summary>
    public ReceiveOutcome ReceiveControl(uint messageId, ReadOnlySpan<byte> payload, ReadOnlySpan<uint> acks)
    {
        ReceiveAck(acks);
        _packetsReceived++;
        var outcome = _receiver.Receive(messageId, payload);
        switch (outcome)
        {
            case ReceiveOutcome.Duplicate: _duplicates++; break;
            case ReceiveOutcome.BeyondWindow: _beyondWindow++; break;
            case ReceiveOutcome.TooLarge: _tooLarge++; break;
        }
        if (outcome.ShouldAcknowledge())
            _acks.Add(messageId);
        return outcome;
    }

    /// <summary>An ACK block (of a pure ACK packet or piggy-backed); returns how many in-flight messages it acknowledged.</summary>
    public int ReceiveAck(ReadOnlySpan<uint> acks)
    {
        _acksReceived += acks.Length;
        return acks.IsEmpty ? 0 : _sender.Acknowledge(acks);
    }

    /// <summary>The next in-order payload for TLS; empty payloads (resets) are skipped.</summary>
    public bool TryTakeDelivered(out ReadOnlyMemory<byte> payload)
    {
        while (_receiver.TryTakeNext(out payload))
            if (!payload.IsEmpty)
                return true;
        return false;
    }

    /// <summary>Queues a message to send reliably (see <see cref="ReliableSender.Enqueue"/>).</summary>
    public EnqueueResult Enqueue(ReliableMessageKind kind, ReadOnlyMemory<byte> payload) => _sender.Enqueue(kind, payload);

    /// <summary>The next message due, with up to <see cref="ReliabilityOptions.MaxPiggybackAcks"/> ACK ids written to <paramref name="acks"/>.</summary>
    public bool TryTakePacket(Span<uint> acks, out OutgoingPacket packet)
    {
        if (!_sender.TryTakeDue(out var message))
        {
            packet = default;
            return false;
        }
        int count = _acks.Write(acks, _options.MaxPiggybackAcks);
        _packetsSent++;
        packet = new OutgoingPacket(message, count);
        return true;
    }

    /// <summary>Writes a pure ACK block if ACKs are still owed; 0 when none is needed.</summary>
    public int TakePureAck(Span<uint> acks)
    {
        if (!_acks.HasPending)
            return 0;
        _pureAcksSent++;
        return _acks.Write(acks, _options.MaxPureAcks);
    }

    /// <summary>How long the loop may sleep: until the next retransmit or, while negotiating, the handshake deadline.</summary>
    /// <returns>Zero when something is due now; <see cref="Timeout.InfiniteTimeSpan"/> (negative) when nothing will fall due.</returns>
    public TimeSpan TimeUntilNextEvent()
    {
        if (_acks.HasPending)
            return TimeSpan.Zero;
        TimeSpan? next = _sender.TimeUntilNextDue();
        if (!_established)
        {
            var untilDeadline = _time.GetElapsedTime(_time.GetTimestamp(), _deadline);
            if (untilDeadline < TimeSpan.Zero)
                untilDeadline = TimeSpan.Zero;
            next = next is null || untilDeadline < next ? untilDeadline : next;
        }
        return next ?? Timeout.InfiniteTimeSpan;
    }
}

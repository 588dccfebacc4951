namespace Appliance.Tunnel.Control.Reliability;

/// <summary>The send half of one key state's reliability layer: numbers messages, keeps them until acknowledged, says when to (re)send.</summary>
/// <remarks>
/// Not thread-safe: owned by one key state's loop. Ids run from 0 in queue order. A message enters the window only
/// while its id is less than the oldest unacknowledged id + <see cref="ReliabilityOptions.SendWindow"/> (2.6's rule,
/// so the peer's 12-slot receive window always has room). Retransmit after
/// <see cref="ReliabilityOptions.InitialRetransmitTimeout"/>, doubling per send; early once
/// <see cref="ReliabilityOptions.EarlyResendAfterLaterAcks"/> later ids were acknowledged.
/// </remarks>
public sealed class ReliableSender
{
    private struct Entry
    {
        public bool Active;
        public uint Id;
        public ReliableMessageKind Kind;
        public ReadOnlyMemory<byte> Payload;
        public int SendCount;
        public long DueAt;
        public long Timeout;
        public int LaterAcks;
    }

    private readonly TimeProvider _time;
    private readonly Entry[] _window;
    private readonly Queue<(ReliableMessageKind Kind, ReadOnlyMemory<byte> Payload)> _backlog;
    private readonly int _backlogCapacity;
    private readonly int _maxPayloadLength;
    private readonly int _earlyResendAfter;
    private readonly long _initialTimeout;
    private readonly long _maxTimeout;
    private uint _nextId;
    private uint _nextToAdmit;
    private int _inFlight;
    private long _retransmissions;

    public ReliableSender(ReliabilityOptions? options = null, TimeProvider? time = null)
    {
        options ??= ReliabilityOptions.Default;
        options.ThrowIfInvalid();
        _time = time ?? TimeProvider.System;
        _window = new Entry[options.SendWindow];
        _backlogCapacity = options.SendBacklog;
        _backlog = new Queue<(ReliableMessageKind, ReadOnlyMemory<byte>)>(Math.Min(_backlogCapacity, 64));
        _maxPayloadLength = options.MaxPayloadLength;
        _earlyResendAfter = options.EarlyResendAfterLaterAcks;
        _initialTimeout = ToTicks(options.InitialRetransmitTimeout);
        _maxTimeout = ToTicks(options.MaxRetransmitTimeout);
    }

    /// <summary>Messages sent (or due for the first send) and not yet acknowledged.</summary>
    public int InFlightCount => _inFlight;

    /// <summary>Messages waiting for room in the window.</summary>
    public int BacklogCount => _backlog.Count;

    /// <summary>True when <see cref="Enqueue"/> would take a message.</summary>
    public bool CanEnqueue => _backlog.Count < _backlogCapacity || (_backlog.Count == 0 && HasWindowRoom);

    /// <summary>True when every message ever queued has been acknowledged.</summary>
    public bool IsIdle => _inFlight == 0 && _backlog.Count == 0;

    /// <summary>The id the next queued message will get.</summary>
    public uint NextMessageId => _nextId;

    /// <summary>Sends beyond the first, over the sender's life.</summary>
    public long Retransmissions => _retransmissions;

    private bool HasWindowRoom => MessageIds.Distance(OldestUnacknowledged, _nextToAdmit) < _window.Length;

    private uint OldestUnacknowledged
    {
        get
        {
            uint oldest = _nextToAdmit;
            foreach (ref readonly var e in _window.AsSpan())
                if (e.Active && MessageIds.IsBefore(e.Id, oldest))
                    oldest = e.Id;
            return oldest;
        }
    }

    /// <summary>Queues a message; it takes the next message id. The payload memory must not be reused until acknowledged.</summary>
    public EnqueueResult Enqueue(ReliableMessageKind kind, ReadOnlyMemory<byte> payload)
    {
        if (payload.Length > _maxPayloadLength)
            return EnqueueResult.TooLarge;
        if (!CanEnqueue)
            return EnqueueResult.QueueFull;
        _backlog.Enqueue((kind, payload));
        _nextId++;
        Admit();
        return EnqueueResult.Queued;
    }

    /// <summary>Marks ids as received by the peer; unknown or already acknowledged ids are ignored.</summary>
    /// <returns>How many in-flight messages this acknowledged.</returns>
    public int Acknowledge(ReadOnlySpan<uint> messageIds)
    {
        int acknowledged = 0;
        foreach (uint id in messageIds)
        {
            ref Entry entry = ref _window[id % (uint)_window.Length];
            if (!entry.Active || entry.Id != id)
                continue;
            entry = default;
            _inFlight--;
            acknowledged++;
            // 2.6 reliable_send_purge: every older packet still out counts one more later ACK.
            foreach (ref Entry other in _window.AsSpan())
                if (other.Active && MessageIds.IsBefore(other.Id, id))
                    other.LaterAcks++;
        }
        if (acknowledged > 0)
            Admit();
        return acknowledged;
    }

    /// <summary>Takes the lowest-id message due now (never sent, timed out, or passed by enough later ACKs) and schedules its next try.</summary>
    public bool TryTakeDue(out OutgoingMessage message)
    {
        long now = _time.GetTimestamp();
        int best = -1;
        for (int i = 0; i < _window.Length; i++)
        {
            ref readonly Entry e = ref _window[i];
            if (!e.Active || !IsDue(e, now))
                continue;
            if (best < 0 || MessageIds.IsBefore(e.Id, _window[best].Id))
                best = i;
        }
        if (best < 0)
        {
            message = default;
            return false;
        }
        ref Entry entry = ref _window[best];
        if (entry.SendCount > 0)
            _retransmissions++;
        entry.SendCount++;
        entry.DueAt = now + entry.Timeout;
        entry.Timeout = Math.Min(entry.Timeout * 2, _maxTimeout);
        entry.LaterAcks = 0;
        message = new OutgoingMessage(entry.Id, entry.Kind, entry.Payload, entry.SendCount);
        return true;
    }

    /// <summary>Makes every message in flight due at once (2.6 does this when the first reset of a negotiation arrives).</summary>
    public void ResendAllNow()
    {
        long now = _time.GetTimestamp();
        foreach (ref Entry e in _window.AsSpan())
            if (e.Active && e.SendCount > 0)
                e.DueAt = now;
    }

    /// <summary>Time until the next message falls due: zero when one is due now, null when nothing is in flight.</summary>
    public TimeSpan? TimeUntilNextDue()
    {
        long now = _time.GetTimestamp();
        long? earliest = null;
        foreach (ref readonly Entry e in _window.AsSpan())
        {
            if (!e.Active)
                continue;
            long due = IsDue(e, now) ? now : e.DueAt;
            if (earliest is null || due < earliest)
                earliest = due;
        }
        return earliest is null ? null : _time.GetElapsedTime(now, earliest.Value);
    }

    private bool IsDue(in Entry e, long now) =>
        e.SendCount == 0 || e.LaterAcks >= _earlyResendAfter || now >= e.DueAt;

    private void Admit()
    {
        while (_backlog.Count > 0 && HasWindowRoom)
        {
            var (kind, payload) = _backlog.Dequeue();
            ref Entry slot = ref _window[_nextToAdmit % (uint)_window.Length];
            slot = new Entry
            {
                Active = true,
                Id = _nextToAdmit,
                Kind = kind,
                Payload = payload,
                Timeout = _initialTimeout,
            };
            _nextToAdmit++;
            _inFlight++;
        }
    }

    private long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}

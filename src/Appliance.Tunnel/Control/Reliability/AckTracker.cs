namespace Appliance.Tunnel.Control.Reliability;

/// <summary>ACKs owed to the peer, and the ids recently acknowledged, which are sent again to survive a lost ACK packet.</summary>
/// <remarks>
/// Not thread-safe: owned by one key state's loop. OpenVPN ACKs each message id individually (no cumulative ACK),
/// so an ACK lost on the wire costs the peer a retransmit unless the id is repeated; 2.6 repeats a most-recent-first
/// list of up to 8 ids in the free room of every ACK block, and so does this.
/// </remarks>
public sealed class AckTracker
{
    private readonly uint[] _pending;
    private readonly uint[] _recent;
    private int _pendingCount;
    private int _recentCount;
    private long _dropped;

    public AckTracker(int pendingCapacity = 24, int recentCapacity = 8)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pendingCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(recentCapacity);
        _pending = new uint[pendingCapacity];
        _recent = new uint[recentCapacity];
    }

    /// <summary>True when at least one ACK is owed: a pure ACK packet must go out if no control packet carries it.</summary>
    public bool HasPending => _pendingCount > 0;

    public int PendingCount => _pendingCount;

    /// <summary>Ids acknowledged recently, most recent first.</summary>
    public ReadOnlySpan<uint> Recent => _recent.AsSpan(0, _recentCount);

    /// <summary>ACKs not recorded because the pending list was full.</summary>
    public long Dropped => _dropped;

    /// <summary>Records that <paramref name="messageId"/> must be acknowledged; an id already owed is not added twice.</summary>
    /// <returns>False when the pending list is full and the ACK was dropped (the peer's retransmit earns it again).</returns>
    public bool Add(uint messageId)
    {
        if (_pending.AsSpan(0, _pendingCount).Contains(messageId))
            return true;
        if (_pendingCount == _pending.Length)
        {
            _dropped++;
            return false;
        }
        _pending[_pendingCount++] = messageId;
        return true;
    }

    /// <summary>Fills an ACK block: owed ids first (oldest first), then recently acknowledged ids not already in it.</summary>
    /// <param name="destination">Room for the ids.</param>
    /// <param name="max">At most this many ids (4 on a control packet, 8 on a pure ACK).</param>
    /// <returns>How many ids were written.</returns>
    public int Write(Span<uint> destination, int max)
    {
        max = Math.Min(max, destination.Length);
        int taken = Math.Min(max, _pendingCount);
        for (int i = 0; i < taken; i++)
        {
            destination[i] = _pending[i];
            Remember(_pending[i]);
        }
        _pending.AsSpan(taken, _pendingCount - taken).CopyTo(_pending);
        _pendingCount -= taken;

        int written = taken;
        for (int i = 0; i < _recentCount && written < max; i++)
        {
            uint id = _recent[i];
            if (!destination[..written].Contains(id))
                destination[written++] = id;
        }
        return written;
    }

    private void Remember(uint id)
    {
        if (_recent.Length == 0)
            return;
        int at = _recent.AsSpan(0, _recentCount).IndexOf(id);
        if (at < 0)
            at = _recentCount < _recent.Length ? _recentCount++ : _recentCount - 1;
        _recent.AsSpan(0, at).CopyTo(_recent.AsSpan(1));
        _recent[0] = id;
    }
}

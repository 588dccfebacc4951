namespace Appliance.Tunnel.Replay;

/// <summary>
/// Sliding replay window over u32 packet ids, with OpenVPN 2.6's rules (<c>--replay-window 64 15</c>):
/// id 0 is rejected, ids above the highest are accepted, ids up to 63 below it are accepted once, and an
/// out-of-order id is refused once any id at or above it was accepted more than the time backtrack ago.
/// </summary>
/// <remarks>
/// Not thread-safe: owned by one receive path (a data key slot, or one session's control wrap). Call
/// <see cref="TryAccept(uint, long)"/> only after the packet authenticated, so forgeries cannot move the window.
/// Times are <see cref="TimeProvider.GetTimestamp"/> values of the provider given at construction.
/// </remarks>
public sealed class ReplayWindow
{
    /// <summary>Ids the window remembers below the highest one (2.6's default <c>--replay-window</c>).</summary>
    public const int Size = 64;

    /// <summary>2.6's default time backtrack: 15 s.</summary>
    public static readonly TimeSpan DefaultTimeBacktrack = TimeSpan.FromSeconds(15);

    private readonly TimeProvider _time;
    private readonly long _backtrackTicks;
    // Receive timestamp of each id in the window, indexed by id % Size; valid where the bitmap bit is set.
    private readonly long[] _acceptedAt = new long[Size];
    private uint _highest;
    // Bit i set = id (_highest - i) accepted.
    private ulong _seen;

    public ReplayWindow(TimeProvider? timeProvider = null, TimeSpan? timeBacktrack = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        TimeSpan backtrack = timeBacktrack ?? DefaultTimeBacktrack;
        ArgumentOutOfRangeException.ThrowIfLessThan(backtrack, TimeSpan.Zero);
        _backtrackTicks = (long)(backtrack.TotalSeconds * _time.TimestampFrequency);
    }

    /// <summary>Highest id accepted so far (0 before the first).</summary>
    public uint Highest => _highest;

    /// <summary>The window's state to carry into another process: the highest id and the bitmap of ids below it.</summary>
    public (uint Highest, ulong Seen) Export() => (_highest, _seen);

    /// <summary>Takes over a window exported by <see cref="Export"/>; every remembered id counts as accepted now.</summary>
    public void Restore(uint highest, ulong seen)
    {
        _highest = highest;
        _seen = seen;
        Array.Fill(_acceptedAt, _time.GetTimestamp());
    }

    /// <summary>Forgets every id, e.g. when a wrapped sender starts a new time epoch.</summary>
    public void Reset()
    {
        _highest = 0;
        _seen = 0;
    }

    /// <summary>Judges <paramref name="id"/> without recording it.</summary>
    public ReplayCheck Check(uint id) => Check(id, _time.GetTimestamp());

    /// <summary>Judges <paramref name="id"/> at <paramref name="now"/> (a timestamp of the window's provider) without recording it.</summary>
    public ReplayCheck Check(uint id, long now)
    {
        if (id == 0)
        {
            return ReplayCheck.ZeroId;
        }
        if (id > _highest)
        {
            return ReplayCheck.Accepted;
        }
        uint distance = _highest - id;
        if (distance >= Size)
        {
            return ReplayCheck.TooOld;
        }
        if ((_seen & (1UL << (int)distance)) != 0)
        {
            return ReplayCheck.Duplicate;
        }
        // 2.6 (packet_id_reap): an unseen id expires once any id above it in the window was accepted
        // longer ago than the backtrack.
        ulong above = _seen & ((1UL << (int)distance) - 1);
        while (above != 0)
        {
            int bit = System.Numerics.BitOperations.TrailingZeroCount(above);
            above &= above - 1;
            long acceptedAt = _acceptedAt[(int)((_highest - (uint)bit) % Size)];
            if (now - acceptedAt > _backtrackTicks)
            {
                return ReplayCheck.Expired;
            }
        }
        return ReplayCheck.Accepted;
    }

    /// <summary>Checks and, when accepted, records <paramref name="id"/>.</summary>
    public ReplayCheck TryAccept(uint id) => TryAccept(id, _time.GetTimestamp());

    /// <summary>Checks and, when accepted, records <paramref name="id"/> at <paramref name="now"/>.</summary>
    public ReplayCheck TryAccept(uint id, long now)
    {
        ReplayCheck verdict = Check(id, now);
        if (verdict != ReplayCheck.Accepted)
        {
            return verdict;
        }
        if (id > _highest)
        {
            uint shift = id - _highest;
            _seen = shift >= Size ? 0 : _seen << (int)shift;
            _highest = id;
            _seen |= 1;
        }
        else
        {
            _seen |= 1UL << (int)(_highest - id);
        }
        _acceptedAt[(int)(id % Size)] = now;
        return ReplayCheck.Accepted;
    }
}

using System.Collections.Concurrent;

namespace Appliance.Tunnel.Switching;

/// <summary>Outcome of learning a source address.</summary>
public enum LearnResult : byte
{
    /// <summary>Known on this port (refreshed) or newly learned.</summary>
    Learned = 0,
    /// <summary>New to the port, but the port already owns its limit.</summary>
    LimitReached,
    /// <summary>Owned by another live port and not yet aged out: not taken over.</summary>
    OwnedByOtherPort,
}

/// <summary>One learned address, as shown to an operator.</summary>
public readonly record struct MacTableEntry(MacAddress Address, SwitchPort Port, TimeSpan Idle);

/// <summary>MAC address → port, with aging, per-port limits and no take-over of a live port's address.</summary>
/// <remarks>Lookups and refreshes are lock-free and allocation-free; only learning a new address allocates.</remarks>
public sealed class MacTable
{
    private readonly ConcurrentDictionary<ulong, Entry> _entries = new();
    private readonly TimeProvider _time;

    public MacTable(TimeProvider time) => _time = time;

    public int Count => _entries.Count;

    /// <summary>Records that <paramref name="source"/> was seen on <paramref name="port"/>.</summary>
    public LearnResult Learn(MacAddress source, SwitchPort port, int portLimit, long agingTicks, long now)
    {
        while (true)
        {
            if (_entries.TryGetValue(source.Value, out var entry))
            {
                if (ReferenceEquals(entry.Port, port))
                {
                    // Refresh at most every ~1/16 of the aging time: keeps the line clean of writes on a busy port.
                    if (now - Volatile.Read(ref entry.LastSeen) > agingTicks >> 4)
                        Volatile.Write(ref entry.LastSeen, now);
                    return LearnResult.Learned;
                }
                if (entry.Port.IsLive && now - Volatile.Read(ref entry.LastSeen) < agingTicks)
                    return LearnResult.OwnedByOtherPort;
                if (!TryReserve(port, portLimit))
                    return LearnResult.LimitReached;
                if (_entries.TryUpdate(source.Value, new Entry(port, now), entry))
                {
                    Interlocked.Decrement(ref entry.Port.LearnedMacs);
                    return LearnResult.Learned;
                }
                Interlocked.Decrement(ref port.LearnedMacs);
                continue;
            }

            if (!TryReserve(port, portLimit))
                return LearnResult.LimitReached;
            if (_entries.TryAdd(source.Value, new Entry(port, now)))
                return LearnResult.Learned;
            Interlocked.Decrement(ref port.LearnedMacs);
        }
    }

    /// <summary>The live port that owns <paramref name="destination"/>, or null when unknown or aged out.</summary>
    public SwitchPort? Lookup(MacAddress destination, long agingTicks, long now)
    {
        if (!_entries.TryGetValue(destination.Value, out var entry))
            return null;
        if (!entry.Port.IsLive || now - Volatile.Read(ref entry.LastSeen) >= agingTicks)
            return null;
        return entry.Port;
    }

    /// <summary>Forgets every address of a removed port.</summary>
    public void Forget(SwitchPort port)
    {
        foreach (var pair in _entries)
        {
            if (ReferenceEquals(pair.Value.Port, port) && _entries.TryRemove(pair))
                Interlocked.Decrement(ref port.LearnedMacs);
        }
    }

    /// <summary>Removes aged-out entries; returns how many.</summary>
    public int Sweep(long agingTicks, long now)
    {
        int removed = 0;
        foreach (var pair in _entries)
        {
            var entry = pair.Value;
            if ((!entry.Port.IsLive || now - Volatile.Read(ref entry.LastSeen) >= agingTicks) && _entries.TryRemove(pair))
            {
                Interlocked.Decrement(ref entry.Port.LearnedMacs);
                removed++;
            }
        }
        return removed;
    }

    public IReadOnlyList<MacTableEntry> Snapshot()
    {
        long now = _time.GetTimestamp();
        var list = new List<MacTableEntry>(_entries.Count);
        foreach (var pair in _entries)
            list.Add(new MacTableEntry(new MacAddress(pair.Key), pair.Value.Port, _time.GetElapsedTime(Volatile.Read(ref pair.Value.LastSeen), now)));
        return list;
    }

    private static bool TryReserve(SwitchPort port, int limit)
    {
        if (Interlocked.Increment(ref port.LearnedMacs) <= limit)
            return true;
        Interlocked.Decrement(ref port.LearnedMacs);
        return false;
    }

    private sealed class Entry(SwitchPort port, long lastSeen)
    {
        public readonly SwitchPort Port = port;
        public long LastSeen = lastSeen;
    }
}

namespace Appliance.Web.History;

/// <summary>
/// What a client's counters grew by between two samples. The agent's counters belong to one session and start at
/// zero again when the session restarts (client reconnect, agent restart): a new session id, or any counter smaller
/// than before, means the new value is all new traffic. A delta is therefore never negative.
/// </summary>
public static class CounterDelta
{
    /// <param name="previous">The last sample of this client, or null when there is none (first sight).</param>
    /// <param name="previousSessionId">The session the previous sample came from.</param>
    public static TrafficTotals Between(TrafficTotals? previous, string? previousSessionId, TrafficTotals current, string currentSessionId)
    {
        if (previous is not { } before || !string.Equals(previousSessionId, currentSessionId, StringComparison.Ordinal))
            return current;
        return new TrafficTotals(
            Grown(before.FramesIn, current.FramesIn),
            Grown(before.BytesIn, current.BytesIn),
            Grown(before.FramesOut, current.FramesOut),
            Grown(before.BytesOut, current.BytesOut),
            Grown(before.DroppedIn, current.DroppedIn),
            Grown(before.DroppedOut, current.DroppedOut),
            Grown(before.ShortFramesIn, current.ShortFramesIn),
            Grown(before.ShortFramesOut, current.ShortFramesOut));
    }

    /// <summary>The growth of one counter; a decrease means it was reset, so the new value is the growth since the reset.</summary>
    public static long Grown(long before, long now) => now >= before ? now - before : now;
}

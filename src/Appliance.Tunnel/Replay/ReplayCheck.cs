namespace Appliance.Tunnel.Replay;

/// <summary>Verdict of a <see cref="ReplayWindow"/> on one packet id.</summary>
public enum ReplayCheck : byte
{
    /// <summary>Never seen and still acceptable.</summary>
    Accepted = 0,
    /// <summary>Id 0: never sent by a conforming peer (counters start at 1), always rejected.</summary>
    ZeroId,
    /// <summary>This id was already accepted.</summary>
    Duplicate,
    /// <summary>64 or more below the highest id seen: outside the window.</summary>
    TooOld,
    /// <summary>Inside the window, but an id at or above it arrived longer ago than the time backtrack (15 s).</summary>
    Expired,
    /// <summary>Wrapped control packets only: the sender's time field is older than the one the window follows.</summary>
    OlderSenderTime,
}

namespace Appliance.Contracts;

/// <summary>A session that has ended, as it last looked: its counters, PPPoE view and findings at the moment it went away.</summary>
/// <param name="Last">The session's last view (the same document <see cref="ApiRoutes.Session"/> answered while it lived).</param>
/// <param name="EndedAt">When the agent noticed the session was gone.</param>
/// <param name="Reason">Why it ended, when the engine said so; null when not known.</param>
/// <param name="Probe">The last frame-size probe run on the session while it lived; null when none was.</param>
public sealed record EndedSessionDto(SessionDto Last, DateTimeOffset EndedAt, string? Reason, FrameSizeProbeDto? Probe = null);

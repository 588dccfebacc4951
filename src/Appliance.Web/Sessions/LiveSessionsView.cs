using Appliance.Contracts;

namespace Appliance.Web.Sessions;

/// <summary>One live session and its throughput since the previous update (null on its first update).</summary>
public sealed record LiveSession(SessionDto Session, Throughput? Rate)
{
    public string Id => Session.Id;
    public string Name => Session.CommonName ?? "(handshake)";
    public DirectionCountersDto? In => Session.In;
    public DirectionCountersDto? Out => Session.Out;
    public long DroppedFrames => (Session.In?.DroppedFrames ?? 0) + (Session.Out?.DroppedFrames ?? 0);
}

/// <summary>A point of a session's throughput chart.</summary>
public sealed record RatePoint(DateTimeOffset At, double BitsPerSecondIn, double BitsPerSecondOut);

/// <summary>
/// What the panel currently knows of one agent's sessions: the newest update, or why the agent cannot be reached (with
/// the last update still shown, marked stale).
/// </summary>
public sealed record LiveSessionsView(
    long AgentId,
    DateTimeOffset? TakenAt,
    IReadOnlyList<LiveSession> Sessions,
    PortStatus? Uplink,
    string? Problem,
    DateTimeOffset? ProblemSince)
{
    public bool IsDown => Problem is not null;

    public static LiveSessionsView Empty(long agentId) => new(agentId, null, [], null, null, null);

    public LiveSession? Find(string sessionId) => Sessions.FirstOrDefault(s => s.Id == sessionId);
}

using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Runtime.Versioning;
using Appliance.Agent.Tunnel;
using Appliance.Contracts;
using Appliance.Tunnel.Sessions;
using Appliance.Tunnel.Switching;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Appliance.Agent.Api;

/// <summary>Live sessions: list, one, the live stream, and kick.</summary>
[SupportedOSPlatform("linux")]
internal static class SessionsApi
{
    public static IEndpointRouteBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(ApiRoutes.Sessions).WithTags("sessions");
        group.MapGet("", List);
        group.MapGet("/stream", Stream);
        group.MapGet("/{id}", Get);
        group.MapDelete("/{id}", Kick);
        app.MapGet(ApiRoutes.EndedSessions, Ended).WithTags("sessions");
        app.MapGet(ApiRoutes.EndedSessions + "/{id}", EndedOne).WithTags("sessions");
        return app;
    }

    public static List<SessionDto> Snapshot(TunnelHost tunnel, EthernetSwitch sw, Uplink uplink)
    {
        var sessions = new List<SessionDto>();
        if (tunnel.Server is { } server)
        {
            foreach (var session in server.Sessions)
                sessions.Add(SessionViews.From(session, sw, uplink.Port));
        }
        sessions.Sort((a, b) => a.ConnectedAt.CompareTo(b.ConnectedAt));
        return sessions;
    }

    /// <summary>The live session with this id (16 hex digits), or null.</summary>
    public static TunnelSession? Find(TunnelHost tunnel, string id)
    {
        if (tunnel.Server is not { } server || !ulong.TryParse(id, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong value))
            return null;
        foreach (var session in server.Sessions)
            if (session.Id == value)
                return session;
        return null;
    }

    private static List<EndedSessionDto> Ended(EndedSessions ended, string? client) => ended.Snapshot(string.IsNullOrEmpty(client) ? null : client);

    private static Results<Ok<EndedSessionDto>, ProblemHttpResult> EndedOne(string id, EndedSessions ended) =>
        ended.Find(id) is { } kept
            ? TypedResults.Ok(kept)
            : ApiProblems.NotFound($"no ended session '{id}' is kept (it is live, never existed, or the retention forgot it); list the ended sessions to see their ids", "ended-session-not-found");

    private static List<SessionDto> List(TunnelHost tunnel, EthernetSwitch sw, Uplink uplink) => Snapshot(tunnel, sw, uplink);

    private static Results<Ok<SessionDto>, ProblemHttpResult> Get(string id, TunnelHost tunnel, EthernetSwitch sw, Uplink uplink) =>
        Find(tunnel, id) is { } session
            ? TypedResults.Ok(SessionViews.From(session, sw, uplink.Port))
            : NoSuchSession(id);

    private static Results<NoContent, ProblemHttpResult> Kick(string id, TunnelHost tunnel, bool? halt)
    {
        if (Find(tunnel, id) is not { } session || !tunnel.Server!.Kick(session.Id, halt ?? false))
            return NoSuchSession(id);
        return TypedResults.NoContent();
    }

    private static Results<ServerSentEventsResult<SessionsUpdateDto>, ValidationProblem> Stream(
        TunnelHost tunnel, EthernetSwitch sw, Uplink uplink, TimeProvider time, int? interval, CancellationToken cancellationToken)
    {
        int milliseconds = interval ?? 1000;
        if (milliseconds is < 250 or > 60000)
            return ApiProblems.Invalid("interval", $"interval {milliseconds.ToString(CultureInfo.InvariantCulture)} ms is outside 250..60000");
        return TypedResults.ServerSentEvents(Ticks(tunnel, sw, uplink, time, TimeSpan.FromMilliseconds(milliseconds), cancellationToken));
    }

    private static async IAsyncEnumerable<SseItem<SessionsUpdateDto>> Ticks(TunnelHost tunnel, EthernetSwitch sw, Uplink uplink, TimeProvider time,
        TimeSpan interval, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            var update = new SessionsUpdateDto(time.GetUtcNow(), Snapshot(tunnel, sw, uplink), uplink.Port is { } port ? CounterDtos.From(port) : null);
            yield return new SseItem<SessionsUpdateDto>(update, "sessions");
        }
        while (await WaitAsync(timer, cancellationToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public static ProblemHttpResult NoSuchSession(string id) =>
        ApiProblems.NotFound($"no live session '{id}'; list the sessions to see their ids", "session-not-found");
}

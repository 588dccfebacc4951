using System.Runtime.Versioning;
using Appliance.Agent.Captures;
using Appliance.Agent.Tunnel;
using Appliance.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Appliance.Agent.Api;

/// <summary>Captures of a session's frames: start, list, one, stop, delete, and the pcapng file.</summary>
[SupportedOSPlatform("linux")]
internal static class CapturesApi
{
    public static IEndpointRouteBuilder MapCapturesApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/sessions/{id}/captures", Start).WithTags("captures");
        var group = app.MapGroup(ApiRoutes.Captures).WithTags("captures");
        group.MapGet("", (CaptureStore store, TimeProvider time) => store.List().ConvertAll(e => e.ToDto(time.GetUtcNow())));
        group.MapGet("/{id}", Get);
        group.MapPost("/{id}/stop", Stop);
        group.MapDelete("/{id}", Delete);
        group.MapGet("/{id}/pcapng", Download);
        return app;
    }

    private static IResult Start(string id, CaptureRequest? request, TunnelHost tunnel, CaptureStore store, TimeProvider time)
    {
        request ??= new CaptureRequest();
        var errors = CaptureStore.Validate(request);
        if (errors.Count > 0)
            return ApiProblems.Invalid(errors, "the capture request has " + errors.Count + " problem(s)");
        if (SessionsApi.Find(tunnel, id) is not { } session)
            return SessionsApi.NoSuchSession(id);
        var (entry, conflict) = store.Start(session, request);
        return entry is null
            ? ApiProblems.Conflict(conflict!, "capture-conflict")
            : TypedResults.Created(ApiRoutes.Capture(entry.Id), entry.ToDto(time.GetUtcNow()));
    }

    private static Results<Ok<CaptureDto>, ProblemHttpResult> Get(string id, CaptureStore store, TimeProvider time) =>
        store.Find(id) is { } entry ? TypedResults.Ok(entry.ToDto(time.GetUtcNow())) : NoSuchCapture(id);

    private static async Task<Results<Ok<CaptureDto>, ProblemHttpResult>> Stop(string id, CaptureStore store, TimeProvider time)
    {
        if (store.Find(id) is not { } entry)
            return NoSuchCapture(id);
        entry.Stop("requested", time.GetUtcNow());
        // Answer once the file is complete, so a download right after holds every frame.
        await entry.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        return TypedResults.Ok(entry.ToDto(time.GetUtcNow()));
    }

    private static Results<NoContent, ProblemHttpResult> Delete(string id, CaptureStore store)
    {
        if (store.Find(id) is not { } entry)
            return NoSuchCapture(id);
        return store.Delete(entry)
            ? TypedResults.NoContent()
            : ApiProblems.Conflict($"capture {id} is running; stop it first", "capture-running");
    }

    private static IResult Download(string id, CaptureStore store)
    {
        if (store.Find(id) is not { } entry)
            return NoSuchCapture(id);
        var stream = new FileStream(entry.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return TypedResults.File(stream, "application/vnd.tcpdump.pcap", $"capture-{id}.pcapng");
    }

    private static ProblemHttpResult NoSuchCapture(string id) =>
        ApiProblems.NotFound($"no capture '{id}'; list the captures to see their ids", "capture-not-found");
}

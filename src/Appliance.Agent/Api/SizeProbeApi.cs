using System.Runtime.Versioning;
using Appliance.Agent.Tunnel;
using Appliance.Contracts;
using Appliance.Tunnel.Diagnostics;
using Appliance.Tunnel.Sessions;
using Appliance.Tunnel.Switching;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Appliance.Agent.Api;

/// <summary>The active frame-size probe of a live PPPoE session; every request is audited in the agent's log.</summary>
[SupportedOSPlatform("linux")]
internal static class SizeProbeApi
{
    public static IEndpointRouteBuilder MapSizeProbeApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/sessions/{id}/size-probe", Probe).WithTags("sessions");
        return app;
    }

    private static async Task<Results<Ok<FrameSizeProbeDto>, ProblemHttpResult>> Probe(
        string id, TunnelHost tunnel, EthernetSwitch sw, EndedSessions ended, TimeProvider time, ILogger<FrameSizeProbe> log, CancellationToken cancellationToken)
    {
        if (SessionsApi.Find(tunnel, id) is not { } session)
            return SessionsApi.NoSuchSession(id);
        string client = session.CommonName ?? "?";
        if (Target(session, out string? refusal) is not { } target || session.Port is not { } port || session.Pppoe is not { } tracker)
        {
            Log.SizeProbeRefused(log, session.Name, client, refusal!);
            return ApiProblems.Conflict(refusal!, "probe-refused");
        }
        Log.SizeProbeStarted(log, session.Name, client);
        FrameSizeProbeResult result;
        try
        {
            result = await FrameSizeProbe.RunAsync(sw, port, target, time, cancellationToken: cancellationToken);
        }
        catch (InvalidOperationException)
        {
            Log.SizeProbeRefused(log, session.Name, client, "another probe of this session is running");
            return ApiProblems.Conflict($"session {session.Name} is being probed already; wait for that probe to finish", "probe-running");
        }
        var direction = result.Direction(tracker.Snapshot());
        var dto = SizeProbeViews.ToDto(session.Name, client, result, direction);
        Log.SizeProbeFinished(log, session.Name, client, dto.Summary, result.Requests);
        ended.RememberProbe(dto);
        return TypedResults.Ok(dto);
    }

    /// <summary>The session as the ISP's concentrator sees it, or why it cannot be probed now.</summary>
    private static FrameSizeProbeTarget? Target(TunnelSession session, out string? refusal)
    {
        refusal = null;
        if (session.Port is null || session.Pppoe is not { } tracker)
        {
            refusal = $"session {session.Name} has no switch port yet";
            return null;
        }
        if (FrameSizeProbeTarget.For(tracker.Snapshot(), out string reason) is { } target)
            return target;
        refusal = $"session {session.Name} cannot be probed: {reason}; dial PPPoE on the client first";
        return null;
    }
}

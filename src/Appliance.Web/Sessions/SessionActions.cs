using Appliance.Contracts;
using Appliance.Web.Agents;
using Appliance.Web.Audit;

namespace Appliance.Web.Sessions;

/// <summary>What an admin does to a live session: kick it, capture it; each refused for a viewer and audited.</summary>
public sealed class SessionActions(AgentConnections connections, AuditLog audit)
{
    public async Task KickAsync(PanelOperator by, long agentId, string sessionId, string? clientName, CancellationToken ct = default)
    {
        by.RequireAdmin("kick a session");
        var agent = await connections.GetAsync(agentId);
        await agent.KickSessionAsync(sessionId, halt: false, ct);
        await audit.RecordAsync(by.Actor, AgentAuditActions.SessionKicked, clientName ?? sessionId, $"session {sessionId}");
    }

    /// <summary>Probes which frame sizes make the round trip through the session's PPPoE link (LCP Echo-Requests into the live session).</summary>
    public async Task<FrameSizeProbeDto> ProbeFrameSizesAsync(PanelOperator by, long agentId, string sessionId, CancellationToken ct = default)
    {
        by.RequireAdmin("probe a session's frame sizes");
        var agent = await connections.GetAsync(agentId);
        var result = await agent.ProbeFrameSizesAsync(sessionId, ct);
        await audit.RecordAsync(by.Actor, AgentAuditActions.SessionSizeProbed, result.ClientName, $"session {sessionId}: {result.Summary}");
        return result;
    }

    /// <summary>Starts a capture; without redaction the file holds PPP credentials, so the caller must have asked for that explicitly.</summary>
    public async Task<CaptureDto> StartCaptureAsync(PanelOperator by, long agentId, string sessionId, bool keepCredentials, CancellationToken ct = default)
    {
        by.RequireAdmin("capture a session");
        var agent = await connections.GetAsync(agentId);
        var capture = await agent.StartCaptureAsync(sessionId, new CaptureRequest(RedactCredentials: !keepCredentials), ct);
        await audit.RecordAsync(by.Actor, AgentAuditActions.CaptureStarted, capture.ClientName ?? sessionId,
            $"capture {capture.Id}{(keepCredentials ? ", credentials NOT redacted" : ", credentials redacted")}");
        return capture;
    }

    public async Task<CaptureDto> StopCaptureAsync(PanelOperator by, long agentId, string captureId, CancellationToken ct = default)
    {
        by.RequireAdmin("stop a capture");
        var agent = await connections.GetAsync(agentId);
        var capture = await agent.StopCaptureAsync(captureId, ct);
        await audit.RecordAsync(by.Actor, AgentAuditActions.CaptureStopped, capture.ClientName ?? capture.SessionId, $"capture {capture.Id}");
        return capture;
    }

    /// <summary>The captures of one session, newest first.</summary>
    public async Task<IReadOnlyList<CaptureDto>> ListCapturesAsync(long agentId, string sessionId, CancellationToken ct = default)
    {
        var agent = await connections.GetAsync(agentId);
        return (await agent.GetCapturesAsync(ct)).Where(c => c.SessionId == sessionId).ToList();
    }

    public async Task<(string FileName, byte[] Content)> DownloadCaptureAsync(PanelOperator by, long agentId, string captureId, CancellationToken ct = default)
    {
        by.RequireAdmin("download a capture");
        var agent = await connections.GetAsync(agentId);
        var capture = await agent.GetCaptureAsync(captureId, ct);
        var bytes = await agent.GetCaptureFileAsync(captureId, ct);
        await audit.RecordAsync(by.Actor, AgentAuditActions.CaptureDownloaded, capture.ClientName ?? capture.SessionId,
            $"capture {capture.Id}{(capture.HoldsCredentials ? ", holds credentials" : "")}");
        return ($"{capture.ClientName ?? capture.SessionId}-{capture.Id}.pcapng", bytes);
    }
}

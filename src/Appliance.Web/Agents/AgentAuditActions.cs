namespace Appliance.Web.Agents;

/// <summary>Audit action names of the agent-facing features.</summary>
public static class AgentAuditActions
{
    public const string AgentPaired = "agents.paired";
    public const string AgentUnpaired = "agents.unpaired";
    public const string DialAddressChanged = "agents.dial-address-changed";
    public const string SessionSizeProbed = "sessions.size-probed";
    public const string ClientIssued = "clients.issued";
    public const string ClientDisabled = "clients.disabled";
    public const string ClientEnabled = "clients.enabled";
    public const string ClientRevoked = "clients.revoked";
    public const string ClientRenewed = "clients.renewed";
    public const string ClientTransportChanged = "clients.transport-changed";
    public const string ClientConcurrentChanged = "clients.concurrent-changed";
    public const string ProfileDownloaded = "clients.profile-downloaded";
    public const string DownloadLinkCreated = "downloads.link-created";
    public const string DownloadLinkUsed = "downloads.link-used";
    public const string SessionKicked = "sessions.kicked";
    public const string CaptureStarted = "captures.started";
    public const string CaptureStopped = "captures.stopped";
    public const string CaptureDownloaded = "captures.downloaded";
}

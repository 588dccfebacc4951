namespace Appliance.Agent;

/// <summary>The agent's log messages, source-generated; event ids are stable.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "uplink: {Description}")]
    public static partial void UplinkStarted(ILogger logger, string description);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "uplink detached: {Reason}")]
    public static partial void UplinkDetached(ILogger logger, string reason);

    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "CRL re-signed on schedule; next update {NextUpdate:u}")]
    public static partial void RevocationListRefreshed(ILogger logger, DateTimeOffset nextUpdate);

    [LoggerMessage(EventId = 112, Level = LogLevel.Information, Message = "deleted the private keys of {Count} expired client certificate(s); renew a client for a new profile")]
    public static partial void ExpiredKeysDropped(ILogger logger, int count);

    [LoggerMessage(EventId = 113, Level = LogLevel.Error, Message = "the keys of expired clients could not be deleted (the next check retries): {Reason}")]
    public static partial void ExpiredKeysDropFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 111, Level = LogLevel.Error, Message = "CRL could not be re-signed (the current one still applies): {Reason}")]
    public static partial void RevocationListRefreshFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message = "tunnel listening on {Endpoints}")]
    public static partial void TunnelListening(ILogger logger, IEnumerable<Appliance.Tunnel.Sessions.ListenEndpoint> endpoints);

    [LoggerMessage(EventId = 121, Level = LogLevel.Information, Message = "refusal list applied (revoked and disabled clients); {Stopped} live session(s) closed")]
    public static partial void RefusalsApplied(ILogger logger, int stopped);

    [LoggerMessage(EventId = 131, Level = LogLevel.Warning, Message = "API: refused a request to {Path} from {Remote}: {Reason}")]
    public static partial void ApiRefused(ILogger logger, string path, string remote, string reason);

    [LoggerMessage(EventId = 140, Level = LogLevel.Information, Message = "config changed through the API: applied [{Applied}], waiting for restart [{Restart}]")]
    public static partial void ConfigChanged(ILogger logger, IEnumerable<string> applied, IEnumerable<string> restart);

    [LoggerMessage(EventId = 150, Level = LogLevel.Information, Message = "capture {Id} of session {Session} stopped: {Reason}")]
    public static partial void CaptureStopped(ILogger logger, string id, string session, string reason);

    [LoggerMessage(EventId = 160, Level = LogLevel.Information, Message = "audit: frame size probe of session {Session} ({Client}) started")]
    public static partial void SizeProbeStarted(ILogger logger, string session, string client);

    [LoggerMessage(EventId = 161, Level = LogLevel.Information, Message = "audit: frame size probe of session {Session} ({Client}) done: {Summary} ({Requests} requests)")]
    public static partial void SizeProbeFinished(ILogger logger, string session, string client, string summary, int requests);

    [LoggerMessage(EventId = 162, Level = LogLevel.Warning, Message = "audit: frame size probe of session {Session} ({Client}) refused: {Reason}")]
    public static partial void SizeProbeRefused(ILogger logger, string session, string client, string reason);

    [LoggerMessage(EventId = 170, Level = LogLevel.Information, Message = "hand-over: handed {Count} fds ({Names}) to {Transport}")]
    public static partial void HandedOver(ILogger logger, int count, string names, string transport);

    [LoggerMessage(EventId = 171, Level = LogLevel.Information, Message = "hand-over: {Message}")]
    public static partial void HandoverProgress(ILogger logger, string message);

    [LoggerMessage(EventId = 172, Level = LogLevel.Warning, Message = "hand-over failed, the sessions end with this process: {Reason}")]
    public static partial void HandoverFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 173, Level = LogLevel.Information, Message = "hand-over: closed the handed fds nobody here uses: {Names}")]
    public static partial void HandoverUnclaimed(ILogger logger, string names);

    [LoggerMessage(EventId = 174, Level = LogLevel.Information, Message = "hand-over: took over {Taken} of {Count} sessions; tunnel sockets and uplink adopted: {Adopted}")]
    public static partial void TookOver(ILogger logger, int taken, int count, string adopted);

    [LoggerMessage(EventId = 175, Level = LogLevel.Warning, Message = "hand-over: {What} not used: {Reason}")]
    public static partial void HandoverNotUsed(ILogger logger, string what, string reason);
}

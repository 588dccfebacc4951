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

    [LoggerMessage(EventId = 111, Level = LogLevel.Error, Message = "CRL could not be re-signed (the current one still applies): {Reason}")]
    public static partial void RevocationListRefreshFailed(ILogger logger, string reason);
}

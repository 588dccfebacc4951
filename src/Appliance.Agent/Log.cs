namespace Appliance.Agent;

/// <summary>The agent's log messages, source-generated; event ids are stable.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "uplink: {Description}")]
    public static partial void UplinkStarted(ILogger logger, string description);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "uplink detached: {Reason}")]
    public static partial void UplinkDetached(ILogger logger, string reason);
}

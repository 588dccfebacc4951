namespace Appliance.Agent.Lab;

/// <summary>The lab's log messages, source-generated; event ids are stable. The lab password never reaches a log call.</summary>
internal static partial class LabLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "lab pppoe-server unavailable: {Reason}")]
    public static partial void Unavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "lab pppoe-server guest booting (pid {Pid}, TAP '{Tap}' on bridge '{Bridge}', console {ConsoleLog})")]
    public static partial void Booting(ILogger logger, int pid, string tap, string bridge, string consoleLog);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "lab pppoe-server running on bridge '{Bridge}' (service '{Service}', user '{User}')")]
    public static partial void Running(ILogger logger, string bridge, string service, string user);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "lab pppoe-server guest ended (restart {Restart} of {MaxRestarts}): {Tail}")]
    public static partial void GuestEnded(ILogger logger, int restart, int maxRestarts, string tail);

    [LoggerMessage(EventId = 204, Level = LogLevel.Error, Message = "lab pppoe-server failed: {Reason}")]
    public static partial void Failed(ILogger logger, string reason);

    [LoggerMessage(EventId = 205, Level = LogLevel.Information, Message = "lab pppoe-server stopped (guest pid {Pid}, TAP '{Tap}' removed)")]
    public static partial void Stopped(ILogger logger, int pid, string tap);
}

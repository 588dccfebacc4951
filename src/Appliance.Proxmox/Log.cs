using Microsoft.Extensions.Logging;

namespace Appliance.Proxmox;

/// <summary>Log events of the Proxmox client. Never receives the token secret or request bodies.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Proxmox {Request} answered {StatusCode} in {ElapsedMs} ms")]
    public static partial void RequestCompleted(ILogger logger, string request, int statusCode, long elapsedMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Proxmox {Request} failed: {Message}")]
    public static partial void RequestFailed(ILogger logger, string request, string message);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Proxmox task {Upid} ended: {ExitStatus}")]
    public static partial void TaskEnded(ILogger logger, string upid, string exitStatus);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Proxmox certificate refused: {Reason}")]
    public static partial void CertificateRefused(ILogger logger, string reason);
}

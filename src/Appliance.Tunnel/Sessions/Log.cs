using Microsoft.Extensions.Logging;

namespace Appliance.Tunnel.Sessions;

/// <summary>The tunnel server's log messages (event ids 1300–1399). Names, addresses and reasons only: never keys or secrets.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "tunnel server listening on {Endpoints}")]
    public static partial void Listening(ILogger logger, string endpoints);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "session {Session} up: client '{Client}' from {Remote}, cipher {Cipher}, peer-id {PeerId}, {Tls}, client {Version} on {Platform}")]
    public static partial void SessionUp(ILogger logger, string session, string client, string remote, string cipher, uint peerId, string tls, string version, string platform);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "session {Session} down: client '{Client}' from {Remote}: {Reason}; frames in {FramesIn} out {FramesOut}, drops in {DropsIn} out {DropsOut}{DropSummary}")]
    public static partial void SessionDown(ILogger logger, string session, string client, string remote, string reason, long framesIn, long framesOut, long dropsIn, long dropsOut, string dropSummary);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Information, Message = "session {Session} ('{Client}') renegotiated: key-id {KeyId} now in use ({Initiator})")]
    public static partial void Renegotiated(ILogger logger, string session, string client, int keyId, string initiator);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Warning, Message = "session {Session} from {Remote} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string session, string remote, string reason);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Information, Message = "session {Session} ('{Client}') moved from {From} to {To}")]
    public static partial void Floated(ILogger logger, string session, string client, string from, string to);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Warning, Message = "session {Session} ('{Client}'): key-id {KeyId} negotiation failed: {Reason}")]
    public static partial void KeyFailed(ILogger logger, string session, string client, int keyId, string reason);

    [LoggerMessage(EventId = 1307, Level = LogLevel.Warning, Message = "no new session for {Remote}: {Reason} ({Suppressed} more such refusals not logged since the last line)")]
    public static partial void NotAccepted(ILogger logger, string remote, string reason, long suppressed);

    [LoggerMessage(EventId = 1308, Level = LogLevel.Error, Message = "session {Session}: control loop failed")]
    public static partial void LoopFailed(ILogger logger, string session, Exception exception);

    [LoggerMessage(EventId = 1309, Level = LogLevel.Error, Message = "handling a received packet of {Length} bytes failed; the packet was dropped and the receive loop goes on ({Suppressed} more such faults not logged since the last line)")]
    public static partial void ReceiveFault(ILogger logger, int length, long suppressed, Exception exception);

    [LoggerMessage(EventId = 1310, Level = LogLevel.Warning, Message = "session {Session} ('{Client}') from {Remote} replaced by session {NewSession} of the same client from {NewRemote}; the older client is told to stop")]
    public static partial void Replaced(ILogger logger, string session, string client, string remote, string newSession, string newRemote);

    [LoggerMessage(EventId = 1311, Level = LogLevel.Warning, Message = "session {Session} ('{Client}') may not move to {To}: session {Owner} lives there; packet dropped ({Suppressed} more such refusals not logged since the last line)")]
    public static partial void FloatRefused(ILogger logger, string session, string client, string to, string owner, long suppressed);

    [LoggerMessage(EventId = 1313, Level = LogLevel.Warning, Message = "tls-crypt-v2 client '{Client}' (serial {Serial}) from {Remote} refused before TLS: {Verdict} ({Suppressed} more such refusals not logged since the last line)")]
    public static partial void ClientKeyRefused(ILogger logger, string remote, string client, string serial, string verdict, long suppressed);

    [LoggerMessage(EventId = 1312, Level = LogLevel.Error, Message = "session {Session}: an observer of closed sessions failed")]
    public static partial void ObserverFailed(ILogger logger, string session, Exception exception);
}

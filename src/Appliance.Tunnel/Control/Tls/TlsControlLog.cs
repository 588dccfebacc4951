using System.Net.Security;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;

namespace Appliance.Tunnel.Control.Tls;

/// <summary>Log messages of the control channel's TLS; certificate names and serials only, never key material or payloads.</summary>
internal static partial class TlsControlLog
{
    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Control channel TLS up: client '{CommonName}', {Protocol}, {CipherSuite}")]
    public static partial void HandshakeCompleted(ILogger logger, string? commonName, SslProtocols protocol, TlsCipherSuite cipherSuite);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Client certificate refused ({Reason}): {Detail}")]
    public static partial void CertificateRefused(ILogger logger, ClientCertificateRefusal reason, string? detail);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Information, Message = "Control channel TLS handshake ended without a session ({Outcome}): {Detail}")]
    public static partial void HandshakeFailed(ILogger logger, TlsHandshakeOutcome outcome, string? detail);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "The CRL in force is stale: its next update was due at {NextUpdate}; revocations since then are unknown")]
    public static partial void StaleRevocationList(ILogger logger, DateTimeOffset? nextUpdate);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Information, Message = "Control message from '{CommonName}' refused ({Status}) after {Buffered} buffered bytes")]
    public static partial void MessageRefused(ILogger logger, string? commonName, ControlIoStatus status, int buffered);
}

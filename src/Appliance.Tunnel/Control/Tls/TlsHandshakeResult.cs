namespace Appliance.Tunnel.Control.Tls;

/// <summary>How a control-channel TLS handshake ended.</summary>
public enum TlsHandshakeOutcome : byte
{
    Completed,
    /// <summary>Our validator refused the client certificate; see <see cref="TlsHandshakeResult.Refusal"/>.</summary>
    CertificateRefused,
    /// <summary>The transport closed (session ended, reset, timeout) before the handshake finished.</summary>
    TransportClosed,
    /// <summary>The caller cancelled (e.g. the handshake window expired).</summary>
    Cancelled,
    /// <summary>TLS failed for another reason: no shared protocol or cipher, bad record, alert from the client.</summary>
    TlsError,
}

/// <summary>The outcome of <see cref="TlsControlSession.AuthenticateAsync"/>, as a value.</summary>
/// <param name="Refusal">Set when <paramref name="Outcome"/> is <see cref="TlsHandshakeOutcome.CertificateRefused"/>.</param>
/// <param name="CommonName">The client certificate's CN when one was presented.</param>
/// <param name="Detail">A sentence for the operator.</param>
public readonly record struct TlsHandshakeResult(TlsHandshakeOutcome Outcome, ClientCertificateRefusal? Refusal, string? CommonName, string? Detail)
{
    public bool Succeeded => Outcome == TlsHandshakeOutcome.Completed;
}

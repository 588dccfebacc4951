using System.Net.Security;
using System.Security.Authentication;

namespace Appliance.Tunnel.Control.Tls;

/// <summary>TLS settings of the control channel's server side.</summary>
public sealed record TlsControlOptions
{
    /// <summary>OpenVPN's clients read a control message into a 2048-byte buffer with one read.</summary>
    public const int ProtocolMaxMessageLength = 2048;

    /// <summary>Our certificate with its chain, built once and shared by all sessions.</summary>
    public required SslStreamCertificateContext ServerCertificate { get; init; }

    /// <summary>2.6 defaults to TLS 1.2 as the minimum and prefers 1.3.</summary>
    public SslProtocols Protocols { get; init; } = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>Largest message we write (one TLS record each).</summary>
    public int MaxMessageLength { get; init; } = ProtocolMaxMessageLength;

    /// <summary>
    /// When true, a refused client certificate still completes the TLS handshake, and the session may then send one
    /// <c>AUTH_FAILED</c> message (<see cref="TlsControlSession.WriteRefusalAsync"/>) before it is closed: the client stops
    /// at once with a readable reason. When false the handshake fails; on .NET 10 no TLS alert is sent, so the client
    /// learns nothing until its hand-window (60 s) runs out. Nothing but the refusal is ever exchanged with a refused peer.
    /// </summary>
    public bool RefuseInBand { get; init; } = true;

    /// <summary>Bound on buffered plaintext from the client; the key-method-2 message with an auth token must fit.</summary>
    public int MaxIncomingLength { get; init; } = 8192;
}

using System.Net;
using Appliance.Tunnel.Control.Tls;
using Appliance.Tunnel.DataChannel;
using Appliance.Tunnel.Transport;

namespace Appliance.Tunnel.Sessions;

/// <summary>A transport and address the server listens on.</summary>
public sealed record ListenEndpoint(TunnelProtocol Protocol, IPEndPoint EndPoint)
{
    public override string ToString() => $"{(Protocol == TunnelProtocol.Udp ? "udp" : "tcp")} {EndPoint}";
}

public enum TunnelProtocol : byte
{
    Udp = 0,
    Tcp,
}

/// <summary>Everything the tunnel server needs. Immutable; validated by <see cref="Validate"/>.</summary>
public sealed record TunnelServerOptions
{
    public required IReadOnlyList<ListenEndpoint> Listen { get; init; }

    /// <summary>Our certificate, CA-chain and the client-certificate policy (our CA, our CRL).</summary>
    public required TlsControlOptions Tls { get; init; }

    public required ClientCertificateValidator ClientValidator { get; init; }

    public required ControlWrapping ControlWrapping { get; init; }

    /// <summary>Data ciphers in our order of preference; the first the client also lists wins (2.5+ rule).</summary>
    public IReadOnlyList<DataCipher> Ciphers { get; init; } = [DataCipher.Aes256Gcm, DataCipher.ChaCha20Poly1305, DataCipher.Aes128Gcm];

    /// <summary>Pushed <c>ping</c>: both sides send a ping after this much send silence.</summary>
    public TimeSpan Ping { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Pushed <c>ping-restart</c> for the client; the server itself drops a session after twice this much receive silence (as 2.6's <c>keepalive 10 60</c>).</summary>
    public TimeSpan PingRestart { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Server-initiated renegotiation (<c>reneg-sec</c>); null leaves it to the client (3600 s by default).</summary>
    public TimeSpan? RenegotiateAfter { get; init; }

    /// <summary>How long the previous key keeps decrypting after a renegotiation (a 2.6 peer may send on it for ~60 s).</summary>
    public TimeSpan TransitionWindow { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>After EXIT, AUTH_FAILED or a kick, how long the session lingers to ACK and flush before it is removed.</summary>
    public TimeSpan CloseGrace { get; init; } = TimeSpan.FromSeconds(2);

    public int MaxSessions { get; init; } = 1024;

    /// <summary>New sessions created per second, and burst, once a client has proven its address (UDP: the cookie; TCP:
    /// the connection); the rest are dropped as <c>rate_limited</c> and the client retries.</summary>
    public double NewSessionsPerSecond { get; init; } = 100;
    public double NewSessionsBurst { get; init; } = 200;

    /// <summary>Stateless answers to verified first resets per second (UDP), in all: the ceiling of what the server sends
    /// to addresses that have not proven themselves.</summary>
    public double ResetAnswersPerSecond { get; init; } = 1000;

    /// <summary>Verified first resets answered and sessions opened per second for one source address, and burst.</summary>
    public double PerSourcePerSecond { get; init; } = 20;
    public double PerSourceBurst { get; init; } = 40;

    /// <summary>Handshakes in progress (sessions not yet authenticated), in all and per source address: a bound apart from
    /// <see cref="MaxSessions"/>, so unauthenticated work never takes an authenticated client's place.</summary>
    public int MaxHandshakes { get; init; } = 512;
    public int MaxHandshakesPerSource { get; init; } = 64;

    /// <summary>TCP connection bounds and deadlines (unauthenticated connections apart, oldest closed first).</summary>
    public TcpLimits TcpLimits { get; init; } = TcpLimits.Default;

    /// <summary>Whether a client (by certificate common name) may have more than one session at once; by default (null,
    /// or false) a client that authenticates again replaces its older session, which is told why.</summary>
    public Func<string, bool>? AllowsConcurrentSessions { get; init; }

    /// <summary>Largest Ethernet frame a session may carry (the switch's MTU + tags); sizes the send buffers.</summary>
    public int MaxFrameLength { get; init; } = 1522;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Listen.Count == 0)
            errors.Add("Listen: at least one udp or tcp address:port is needed");
        if (Ciphers.Count == 0)
            errors.Add("Ciphers: at least one of AES-256-GCM, AES-128-GCM, CHACHA20-POLY1305 is needed");
        if (Ping <= TimeSpan.Zero || Ping > TimeSpan.FromHours(1))
            errors.Add($"Ping: {Ping} is outside 1 s..1 h");
        if (PingRestart <= Ping)
            errors.Add($"PingRestart: {PingRestart} must be longer than Ping ({Ping})");
        if (RenegotiateAfter is { } reneg && reneg < TimeSpan.FromSeconds(5))
            errors.Add($"RenegotiateAfter: {reneg} is below 5 s");
        if (MaxSessions is < 1 or > 0xFFFFFE)
            errors.Add($"MaxSessions: {MaxSessions} is outside 1..16777214");
        if (NewSessionsPerSecond <= 0 || NewSessionsBurst < 1 || ResetAnswersPerSecond < 1 || PerSourcePerSecond <= 0 || PerSourceBurst < 1)
            errors.Add("NewSessionsPerSecond, ResetAnswersPerSecond and PerSourcePerSecond must be positive, their bursts at least 1");
        if (MaxHandshakes < 1 || MaxHandshakesPerSource < 1 || MaxHandshakesPerSource > MaxHandshakes)
            errors.Add($"MaxHandshakes ({MaxHandshakes}) and MaxHandshakesPerSource ({MaxHandshakesPerSource}) must be at least 1, per source at most the total");
        foreach (var error in TcpLimits.Validate())
            errors.Add("TcpLimits." + error);
        if (MaxFrameLength is < 64 or > 65535 - 64)
            errors.Add($"MaxFrameLength: {MaxFrameLength} is outside 64..65471");
        return errors;
    }
}

namespace Appliance.Agent.Profiles;

/// <summary>The platform a profile is written for; it changes only the notes and the Linux tap handling.</summary>
public enum ProfilePlatform : byte
{
    Windows = 0,
    Linux,
    MacOs,
}

/// <summary>How a profile protects its control channel before TLS.</summary>
public enum ProfileControlWrap : byte
{
    /// <summary><c>&lt;tls-crypt-v2&gt;</c>: the client's own key, wrapped with the server key and sealed with its serial, name and expiry (default).</summary>
    TlsCryptV2 = 0,
    /// <summary><c>&lt;tls-crypt&gt;</c>: the one key shared by every profile (older profiles; a revoked one still reaches TLS).</summary>
    TlsCrypt,
}

/// <summary>Everything one client's .ovpn needs: where to connect, the CA, the client's own certificate and key, its control-channel key.</summary>
/// <remarks>Holds a private key: never log it, never put it in an error message.</remarks>
public sealed record ClientProfile
{
    public required string ClientName { get; init; }
    /// <summary>Host name or address the client dials.</summary>
    public required string ServerHost { get; init; }
    public required int ServerPort { get; init; }
    public bool Tcp { get; init; }
    /// <summary>The server certificate's CN, pinned with <c>verify-x509-name</c>.</summary>
    public required string ServerName { get; init; }
    public required string CaPem { get; init; }
    public required string CertificatePem { get; init; }
    public required string PrivateKeyPem { get; init; }
    /// <summary>The wrap this profile uses; the matching key below must be set.</summary>
    public ProfileControlWrap ControlWrap { get; init; } = ProfileControlWrap.TlsCryptV2;
    /// <summary>The client's tls-crypt-v2 key file (PEM); needed for <see cref="ProfileControlWrap.TlsCryptV2"/>.</summary>
    public string? TlsCryptV2Key { get; init; }
    /// <summary>The shared tls-crypt key file; needed for <see cref="ProfileControlWrap.TlsCrypt"/>.</summary>
    public string? TlsCryptKey { get; init; }
    public ProfilePlatform Platform { get; init; } = ProfilePlatform.Windows;

    public override string ToString() => $"profile for '{ClientName}' ({(Tcp ? "tcp" : "udp")} {ServerHost}:{ServerPort}, {Platform}, {ControlWrap})";
}

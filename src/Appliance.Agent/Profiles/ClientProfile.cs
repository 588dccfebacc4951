namespace Appliance.Agent.Profiles;

/// <summary>The platform a profile is written for; it changes only the notes and the Linux tap handling.</summary>
public enum ProfilePlatform : byte
{
    Windows = 0,
    Linux,
    MacOs,
}

/// <summary>Everything one client's .ovpn needs: where to connect, the CA, the client's own certificate and key, the tls-crypt key.</summary>
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
    public required string TlsCryptKey { get; init; }
    public ProfilePlatform Platform { get; init; } = ProfilePlatform.Windows;

    public override string ToString() => $"profile for '{ClientName}' ({(Tcp ? "tcp" : "udp")} {ServerHost}:{ServerPort}, {Platform})";
}

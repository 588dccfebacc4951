namespace Appliance.Agent.Pki;

/// <summary>One certificate the registry issued, as listed: no key material.</summary>
/// <param name="SerialNumber">Upper-case hex, as the engine's validator and CRL reader print it.</param>
/// <param name="RevokedAt">Null while the certificate is in force.</param>
/// <param name="CertificateFingerprint">SHA-256 of the certificate (DER), colon-separated upper-case hex.</param>
/// <param name="Disabled">The operator refuses this client's connections until enabling it again.</param>
/// <param name="AllowConcurrent">The client may hold several sessions at once; otherwise a new one replaces the older, which is told why.</param>
/// <param name="RenewedFrom">The serial of the certificate this one replaced, when issued by a renewal.</param>
public sealed record ClientRecord(
    string Name,
    string SerialNumber,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt,
    string? RenewedFrom,
    bool Disabled = false,
    string CertificateFingerprint = "",
    bool AllowConcurrent = false)
{
    public bool IsRevoked => RevokedAt is not null;
}

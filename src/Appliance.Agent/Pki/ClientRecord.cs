namespace Appliance.Agent.Pki;

/// <summary>One certificate the registry issued, as listed: no key material.</summary>
/// <param name="SerialNumber">Upper-case hex, as the engine's validator and CRL reader print it.</param>
/// <param name="RevokedAt">Null while the certificate is in force.</param>
/// <param name="RenewedFrom">The serial of the certificate this one replaced, when issued by a renewal.</param>
public sealed record ClientRecord(
    string Name,
    string SerialNumber,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt,
    string? RenewedFrom)
{
    public bool IsRevoked => RevokedAt is not null;
}

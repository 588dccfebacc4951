namespace Appliance.Contracts;

/// <summary>An issued client.</summary>
/// <param name="Name">The client's name (also its certificate's common name).</param>
/// <param name="Status">"active", "disabled", "expired" or "revoked".</param>
/// <param name="Serial">The current certificate's serial number (hex).</param>
/// <param name="CertificateFingerprint">SHA-256 of the current certificate, colon-separated hex.</param>
public sealed record ClientDto(
    string Name,
    string Status,
    string Serial,
    string CertificateFingerprint,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt,
    bool Disabled,
    int LiveSessions,
    bool AllowConcurrent = false);

/// <param name="Allowed">True: the client may hold several sessions at once (one profile on several machines). False (the
/// default): a new session replaces the older one, whose client is told why and stops.</param>
public sealed record ConcurrentSessionsRequest(bool Allowed);

/// <param name="Name">1-64 characters: letters, digits, '.', '-', '_' (it becomes the certificate's common name).</param>
/// <param name="ExpiresAt">Optional; default one year; must lie in the future.</param>
public sealed record IssueClientRequest(string Name, DateTimeOffset? ExpiresAt = null);

public sealed record RenewClientRequest(DateTimeOffset? ExpiresAt = null);

/// <summary>What a user must know before using a profile on a platform (driver versions, tap support).</summary>
public sealed record ProfileNotesDto(string Platform, IReadOnlyList<string> Notes);

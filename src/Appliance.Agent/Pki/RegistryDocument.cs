using System.Text.Json.Serialization;

namespace Appliance.Agent.Pki;

/// <summary>The on-disk form of the registry (<c>clients.json</c>), replaced as a whole on every change.</summary>
/// <param name="Format">Bumped on an incompatible change; a reader refuses formats it does not know.</param>
/// <param name="RevocationListNumber">The CRL number of the newest CRL; the CRL file may lag by one after a crash and is re-signed at open.</param>
internal sealed record RegistryDocument(int Format, long RevocationListNumber, IReadOnlyList<RegistryEntry> Clients)
{
    public const int CurrentFormat = 1;
}

/// <param name="PrivateKey">PKCS#8 PEM while in force; dropped when revoked.</param>
/// <param name="Disabled">Refused at connect (and its sessions closed) until enabled again; optional in the file, so registries written before it existed still load.</param>
/// <param name="AllowConcurrent">More than one live session at once (one profile on several machines); optional in the file, off by default.</param>
/// <param name="TlsCryptV2Key">The client's tls-crypt-v2 key file (PEM, <c>Kc ‖ WKc</c>) while in force; dropped when revoked. Optional in the
/// file: entries written before it existed get one at open.</param>
internal sealed record RegistryEntry(
    string Name,
    string Serial,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt,
    string? RenewedFrom,
    string Certificate,
    string? PrivateKey,
    bool Disabled = false,
    bool AllowConcurrent = false,
    string? TlsCryptV2Key = null);

// Every property is written (nulls too) and required when read: a truncated or hand-edited entry is refused, not defaulted.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(RegistryDocument))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;

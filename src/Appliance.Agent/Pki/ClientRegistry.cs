using Appliance.Contracts;
using System.Runtime.Versioning;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Appliance.Agent.State;
using Appliance.Tunnel.Control.Tls;
using Appliance.Tunnel.Control.Wire;

namespace Appliance.Agent.Pki;

/// <summary>The clients the CA issued certificates to: issue, list, revoke, renew, and the CRL that follows from them.</summary>
/// <remarks>
/// <para>Durability: every change is one atomic replacement of <c>clients.json</c> (names, serials, dates, certificates and
/// the keys of certificates in force), done before the call returns; one file makes renew (issue + revoke) all-or-nothing.
/// The CRL (<c>crl.pem</c>) is derived: written right after the registry, and re-signed at <see cref="Open"/> when a crash
/// left it behind (its number or serials differ from the registry's). A call returns only after both are durable.</para>
/// <para>Cost: each change rewrites the whole registry (about 1.5 KB per client), fine for the hundreds of clients an
/// appliance serves. Thread-safe: changes are serialized; reads see the last committed state.</para>
/// </remarks>
[SupportedOSPlatform("linux")]
public sealed class ClientRegistry
{
    public const string RegistryFile = "clients.json";
    public const string RevocationListFile = "crl.pem";
    /// <summary>A CRL's nextUpdate is this far after its thisUpdate.</summary>
    public static readonly TimeSpan RevocationListLifetime = TimeSpan.FromDays(7);
    /// <summary>A CRL is re-signed once this much of its lifetime is left, so a missed check or two never lets it go stale.</summary>
    public static readonly TimeSpan RevocationListRefreshMargin = TimeSpan.FromDays(4);

    private readonly StateDirectory _directory;
    private readonly ApplianceCa _ca;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private RegistryDocument _document;
    private PublishedRevocationList _revocationList;

    private ClientRegistry(StateDirectory directory, ApplianceCa ca, TimeProvider time, RegistryDocument document)
    {
        _directory = directory;
        _ca = ca;
        _time = time;
        _document = document;
        _revocationList = new PublishedRevocationList([], DateTimeOffset.MinValue, DateTimeOffset.MinValue);
    }

    /// <summary>The current CRL, DER, signed by the CA.</summary>
    public byte[] RevocationListDer => Volatile.Read(ref _revocationList).Der;

    public DateTimeOffset RevocationListThisUpdate => Volatile.Read(ref _revocationList).ThisUpdate;

    public DateTimeOffset RevocationListNextUpdate => Volatile.Read(ref _revocationList).NextUpdate;

    /// <summary>True when <see cref="Open"/> gave certificates in force their first tls-crypt-v2 key (a registry from before tls-crypt-v2).</summary>
    public bool TlsCryptV2KeysAddedAtOpen { get; private set; }

    /// <summary>True when <see cref="Open"/> found the CRL missing, behind the registry or due, and re-signed it.</summary>
    public bool RevocationListRepublishedAtOpen { get; private set; }

    /// <summary>Raised after a new CRL is durable (on every change and every refresh): hand it to the engine's validator.</summary>
    public event Action<ClientRegistry>? RevocationListChanged;

    /// <summary>Raised after a client was disabled or enabled (durable): the engine's refusal list changes.</summary>
    public event Action<ClientRegistry>? AccessChanged;

    /// <summary>Loads the registry (an empty one on first start) and brings the CRL up to date with it.</summary>
    /// <exception cref="StateDirectoryException">The registry does not parse or contradicts itself; the message names the file and the entry.</exception>
    public static ClientRegistry Open(StateDirectory directory, ApplianceCa ca, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(ca);
        ArgumentNullException.ThrowIfNull(time);
        var document = directory.TryRead(RegistryFile) is { } bytes
            ? Parse(directory, ca, bytes, time)
            : new RegistryDocument(RegistryDocument.CurrentFormat, 0, []);
        var registry = new ClientRegistry(directory, ca, time, document);
        lock (registry._gate)
        {
            if (CompleteTlsCryptV2Keys(directory, ca, document) is { } completed)
            {
                registry.Write(completed);
                registry._document = completed;
                registry.TlsCryptV2KeysAddedAtOpen = true;
            }
            if (registry.TryAdoptStoredRevocationList() is false)
            {
                registry.PublishRevocationList(registry._document with { RevocationListNumber = registry._document.RevocationListNumber + 1 });
                registry.RevocationListRepublishedAtOpen = true;
            }
        }
        return registry;
    }

    /// <summary>Every certificate issued, in force or revoked, oldest first.</summary>
    public IReadOnlyList<ClientRecord> List()
    {
        var document = Volatile.Read(ref _document);
        var records = new List<ClientRecord>(document.Clients.Count);
        foreach (var entry in document.Clients)
            records.Add(ToRecord(entry));
        return records;
    }

    /// <summary>The certificate in force for <paramref name="name"/> with its key (to render a profile), or null (also once it has expired: its key is gone or about to go).</summary>
    public IssuedClient? FindInForce(string name)
    {
        var entry = InForce(Volatile.Read(ref _document), name);
        return entry is null || entry.PrivateKey is null || entry.ExpiresAt <= _time.GetUtcNow() ? null : Issued(entry);
    }

    /// <summary>
    /// What the engine's tls-crypt-v2 policy needs about the certificate <paramref name="serialNumber"/> (upper-case hex):
    /// found or not, its name, expiry, revoked and disabled flags. Cheap: no allocation, no certificate parsing.
    /// </summary>
    public bool TryGetAccess(string serialNumber, out ClientAccess access)
    {
        foreach (var entry in Volatile.Read(ref _document).Clients)
        {
            if (string.Equals(entry.Serial, serialNumber, StringComparison.Ordinal))
            {
                access = new ClientAccess(entry.Name, entry.ExpiresAt, entry.RevokedAt is not null, entry.Disabled);
                return true;
            }
        }
        access = default;
        return false;
    }

    /// <summary>
    /// Deletes the private keys (and tls-crypt-v2 client keys) of expired certificates (durable when this returns): a key is
    /// kept only while a profile may still be downloaded, that is until its certificate is revoked (<see cref="Revoke"/>) or expires. Renewing an
    /// expired client issues a new key. Returns how many keys were dropped.
    /// </summary>
    public int DropKeysOfExpired()
    {
        lock (_gate)
        {
            var document = _document;
            DateTimeOffset now = _time.GetUtcNow();
            var clients = new List<RegistryEntry>(document.Clients.Count);
            int dropped = 0;
            foreach (var entry in document.Clients)
            {
                if ((entry.PrivateKey is not null || entry.TlsCryptV2Key is not null) && entry.ExpiresAt <= now)
                {
                    clients.Add(entry with { PrivateKey = null, TlsCryptV2Key = null });
                    dropped++;
                }
                else
                {
                    clients.Add(entry);
                }
            }
            if (dropped > 0)
                Commit(document with { Clients = clients }, revocationChanged: false);
            return dropped;
        }
    }

    /// <summary>The name's certificate in force, else its newest revoked one, else null.</summary>
    public ClientRecord? FindLatest(string name)
    {
        RegistryEntry? latest = null;
        foreach (var entry in Volatile.Read(ref _document).Clients)
        {
            if (!string.Equals(entry.Name, name, StringComparison.Ordinal))
                continue;
            if (entry.RevokedAt is null)
                return ToRecord(entry);
            if (latest is null || entry.CreatedAt >= latest.CreatedAt)
                latest = entry;
        }
        return latest is null ? null : ToRecord(latest);
    }

    /// <summary>Refuses (<paramref name="disabled"/> true) or accepts again the certificate in force for <paramref name="name"/>; durable when this returns. Idempotent.</summary>
    public ClientRegistryResult<ClientRecord> SetDisabled(string name, bool disabled)
    {
        ClientRecord record;
        lock (_gate)
        {
            var document = _document;
            if (InForce(document, name) is not { } entry)
                return NotInForce<ClientRecord>(document, name);
            if (entry.Disabled == disabled)
                return ClientRegistryResult.Ok(ToRecord(entry));
            var changed = entry with { Disabled = disabled };
            Commit(document with { Clients = Replace(document.Clients, entry, changed, added: null) }, revocationChanged: false);
            record = ToRecord(changed);
        }
        AccessChanged?.Invoke(this);
        return ClientRegistryResult.Ok(record);
    }

    /// <summary>Lets the client in force for <paramref name="name"/> hold several sessions at once (one profile on several
    /// machines), or not; durable when this returns. Idempotent. Applies to the next session that authenticates.</summary>
    public ClientRegistryResult<ClientRecord> SetAllowConcurrent(string name, bool allow)
    {
        lock (_gate)
        {
            var document = _document;
            if (InForce(document, name) is not { } entry)
                return NotInForce<ClientRecord>(document, name);
            if (entry.AllowConcurrent == allow)
                return ClientRegistryResult.Ok(ToRecord(entry));
            var changed = entry with { AllowConcurrent = allow };
            Commit(document with { Clients = Replace(document.Clients, entry, changed, added: null) }, revocationChanged: false);
            return ClientRegistryResult.Ok(ToRecord(changed));
        }
    }

    /// <summary>True when the client in force with this common name may hold several sessions at once.</summary>
    public bool AllowsConcurrent(string name) => InForce(Volatile.Read(ref _document), name) is { AllowConcurrent: true };

    /// <summary>
    /// A CRL for the engine alone: the revoked serials plus those of disabled clients, signed now and never written to disk
    /// (the published <c>crl.pem</c> lists revocations only; disabling is reversible).
    /// </summary>
    public byte[] SignRefusalList()
    {
        var document = Volatile.Read(ref _document);
        DateTimeOffset now = _time.GetUtcNow();
        var builder = new CertificateRevocationListBuilder();
        foreach (var entry in document.Clients)
        {
            if (entry.RevokedAt is { } at)
                builder.AddEntry(Convert.FromHexString(entry.Serial), at, X509RevocationReason.Superseded);
            else if (entry.Disabled)
                builder.AddEntry(Convert.FromHexString(entry.Serial), now, X509RevocationReason.CertificateHold);
        }
        return _ca.SignRevocationList(builder, new BigInteger(document.RevocationListNumber), now, now + RevocationListLifetime);
    }

    /// <summary>Issues a certificate and key for a new client; durable when this returns.</summary>
    /// <param name="expiresAt">The certificate's notAfter; by default the CA's.</param>
    public ClientRegistryResult<IssuedClient> Issue(string name, DateTimeOffset? expiresAt = null)
    {
        if (ClientName.Check(name) is { } problem)
            return ClientRegistryResult.Fail<IssuedClient>(ClientRegistryError.InvalidName, "client " + problem);
        lock (_gate)
        {
            var document = _document;
            if (InForce(document, name) is { } existing)
                return ClientRegistryResult.Fail<IssuedClient>(ClientRegistryError.NameInUse,
                    $"client '{name}' already has a certificate in force (serial {existing.Serial}); revoke or renew it, or choose another name");
            DateTimeOffset now = _time.GetUtcNow();
            if (CheckExpiry(name, expiresAt ?? _ca.Certificate.NotAfter, now) is { } expiryProblem)
                return ClientRegistryResult.Fail<IssuedClient>(ClientRegistryError.InvalidExpiry, expiryProblem);

            var entry = NewEntry(name, now, expiresAt ?? _ca.Certificate.NotAfter, renewedFrom: null);
            Commit(document with { Clients = [.. document.Clients, entry] }, revocationChanged: false);
            return ClientRegistryResult.Ok<IssuedClient>(Issued(entry));
        }
    }

    /// <summary>Revokes the certificate in force for <paramref name="name"/>; the new CRL is durable when this returns. The name becomes free.</summary>
    public ClientRegistryResult<ClientRecord> Revoke(string name)
    {
        lock (_gate)
        {
            var document = _document;
            if (InForce(document, name) is not { } entry)
                return NotInForce<ClientRecord>(document, name);
            var revoked = entry with { RevokedAt = _time.GetUtcNow(), PrivateKey = null, TlsCryptV2Key = null };
            Commit(document with { Clients = Replace(document.Clients, entry, revoked, added: null) }, revocationChanged: true);
            return ClientRegistryResult.Ok<ClientRecord>(ToRecord(revoked));
        }
    }

    /// <summary>Issues a new certificate and key for <paramref name="name"/> and revokes the old one, in one durable step.</summary>
    /// <param name="expiresAt">The new notAfter; by default the old certificate's lifetime counted from now (at most the CA's).</param>
    public ClientRegistryResult<IssuedClient> Renew(string name, DateTimeOffset? expiresAt = null)
    {
        lock (_gate)
        {
            var document = _document;
            if (InForce(document, name) is not { } old)
                return NotInForce<IssuedClient>(document, name);
            DateTimeOffset now = _time.GetUtcNow();
            DateTimeOffset notAfter = expiresAt ?? Min(now + (old.ExpiresAt - old.CreatedAt), _ca.Certificate.NotAfter);
            if (CheckExpiry(name, notAfter, now) is { } expiryProblem)
                return ClientRegistryResult.Fail<IssuedClient>(ClientRegistryError.InvalidExpiry, expiryProblem);

            // A disabled client stays disabled under its new certificate.
            var renewed = NewEntry(name, now, notAfter, renewedFrom: old.Serial) with { Disabled = old.Disabled, AllowConcurrent = old.AllowConcurrent };
            var revoked = old with { RevokedAt = now, PrivateKey = null, TlsCryptV2Key = null };
            Commit(document with { Clients = Replace(document.Clients, old, revoked, renewed) }, revocationChanged: true);
            return ClientRegistryResult.Ok<IssuedClient>(Issued(renewed));
        }
    }

    /// <summary>Re-signs the CRL when less than <see cref="RevocationListRefreshMargin"/> of it is left; called on a schedule.</summary>
    /// <returns>True when a new CRL was published.</returns>
    public bool RefreshRevocationListIfDue()
    {
        lock (_gate)
        {
            if (_time.GetUtcNow() < _revocationList.NextUpdate - RevocationListRefreshMargin)
                return false;
            Commit(_document, revocationChanged: true);
            return true;
        }
    }

    private void Commit(RegistryDocument document, bool revocationChanged)
    {
        if (!revocationChanged)
        {
            Write(document);
            Volatile.Write(ref _document, document);
            return;
        }
        // Registry first, with the number of the CRL about to be written: a crash between the two leaves the CRL behind,
        // which Open detects by number and re-signs.
        PublishRevocationList(document with { RevocationListNumber = document.RevocationListNumber + 1 });
    }

    private void PublishRevocationList(RegistryDocument document)
    {
        Write(document);
        Volatile.Write(ref _document, document);

        DateTimeOffset now = _time.GetUtcNow();
        var builder = new CertificateRevocationListBuilder();
        var revoked = new List<string>();
        foreach (var entry in document.Clients)
        {
            if (entry.RevokedAt is { } at)
            {
                builder.AddEntry(Convert.FromHexString(entry.Serial), at, X509RevocationReason.Superseded);
                revoked.Add(entry.Serial);
            }
        }
        byte[] der = _ca.SignRevocationList(builder, new BigInteger(document.RevocationListNumber), now, now + RevocationListLifetime);
        _directory.WriteAtomically(RevocationListFile, PemEncoding.WriteString("X509 CRL", der) + "\n", FileSecrecy.Public);
        Volatile.Write(ref _revocationList, new PublishedRevocationList(der, now, now + RevocationListLifetime));
        RevocationListChanged?.Invoke(this);
    }

    /// <summary>Takes the stored CRL when it is the registry's newest, lists exactly its revoked serials and is not due; false otherwise.</summary>
    private bool TryAdoptStoredRevocationList()
    {
        if (_directory.TryRead(RevocationListFile) is not { } stored)
            return false;
        if (!CertificateRevocationList.TryLoad(stored, _ca.Certificate, out var list, out _) || list is null)
            return false;
        byte[] der = PemEncoding.TryFind(Encoding.ASCII.GetString(stored), out var fields)
            ? Convert.FromBase64String(Encoding.ASCII.GetString(stored)[fields.Base64Data])
            : stored;
        CertificateRevocationListBuilder.Load(der, out BigInteger number);
        if (number != _document.RevocationListNumber || list.NextUpdate is not { } nextUpdate)
            return false;
        int revokedCount = 0;
        foreach (var entry in _document.Clients)
        {
            if (entry.RevokedAt is null)
                continue;
            revokedCount++;
            using var certificate = X509Certificate2.CreateFromPem(entry.Certificate);
            if (!list.IsRevoked(certificate))
                return false;
        }
        if (revokedCount != list.Count)
            return false;
        Volatile.Write(ref _revocationList, new PublishedRevocationList(der, list.ThisUpdate, nextUpdate));
        return _time.GetUtcNow() < nextUpdate - RevocationListRefreshMargin;
    }

    private RegistryEntry NewEntry(string name, DateTimeOffset now, DateTimeOffset notAfter, string? renewedFrom)
    {
        byte[] serial = ApplianceCa.NewSerialNumber();
        using var certificate = _ca.IssueClient(name, serial, now, notAfter);
        using var key = certificate.GetECDsaPrivateKey()!;
        DateTimeOffset expiresAt = certificate.NotAfter.ToUniversalTime();
        return new RegistryEntry(name, Convert.ToHexString(serial), now, expiresAt, RevokedAt: null, renewedFrom,
            certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n",
            TlsCryptV2Key: NewTlsCryptV2Key(_ca, serial, name, expiresAt));
    }

    /// <summary>A fresh tls-crypt-v2 client key whose sealed metadata names the certificate: serial, name, not-after.</summary>
    private static string NewTlsCryptV2Key(ApplianceCa ca, ReadOnlySpan<byte> serial, string name, DateTimeOffset notAfter)
    {
        using var key = TlsCryptV2ClientKey.Create(ca.TlsCryptV2ServerKey, TlsCryptV2Metadata.Encode(serial, name, notAfter));
        return key.ToPemText();
    }

    private static IssuedClient Issued(RegistryEntry entry) =>
        new(ToRecord(entry), entry.Certificate, entry.PrivateKey!, entry.TlsCryptV2Key!);

    /// <summary>
    /// Gives every certificate in force that has no tls-crypt-v2 key one (registries from before tls-crypt-v2), and checks
    /// that every stored key unwraps under the CA set's server key and names its own certificate.
    /// </summary>
    /// <returns>The document with the added keys, or null when nothing was added.</returns>
    private static RegistryDocument? CompleteTlsCryptV2Keys(StateDirectory directory, ApplianceCa ca, RegistryDocument document)
    {
        string path = directory.PathOf(RegistryFile);
        using var cipher = new TlsCryptV2WrappedKeyCipher(ca.TlsCryptV2ServerKey);
        byte[] clear = new byte[TlsCryptV2WrappedKey.MaxLength];
        RegistryEntry[]? completed = null;
        for (int i = 0; i < document.Clients.Count; i++)
        {
            var entry = document.Clients[i];
            if (entry.TlsCryptV2Key is { } pem)
            {
                if (CheckTlsCryptV2Key(cipher, clear, entry, pem) is { } problem)
                    throw new StateDirectoryException($"'{path}': client '{entry.Name}' serial {entry.Serial}: {problem}; restore '{ApplianceCa.TlsCryptV2ServerKeyFile}' (and '{RegistryFile}') from the same backup");
                continue;
            }
            if (entry.RevokedAt is not null || entry.PrivateKey is null)
                continue; // revoked or expired: its keys are gone for good
            completed ??= [.. document.Clients];
            completed[i] = entry with { TlsCryptV2Key = NewTlsCryptV2Key(ca, Convert.FromHexString(entry.Serial), entry.Name, entry.ExpiresAt) };
        }
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(clear);
        return completed is null ? null : document with { Clients = completed };
    }

    private static string? CheckTlsCryptV2Key(TlsCryptV2WrappedKeyCipher cipher, byte[] clear, RegistryEntry entry, string pem)
    {
        var parse = TlsCryptV2ClientKey.TryParse(pem, out var key);
        if (key is null)
            return $"its tls-crypt-v2 key does not parse ({parse})";
        using (key)
        {
            var unwrap = cipher.Unwrap(key.WrappedKey, clear, out int metadataLength);
            if (unwrap != TlsCryptV2UnwrapResult.Ok)
                return $"its tls-crypt-v2 key was not made with this '{ApplianceCa.TlsCryptV2ServerKeyFile}' ({unwrap})";
            var metadata = TlsCryptV2Metadata.TryParse(clear.AsSpan(TlsCryptV2WrappedKey.ClientKeySize, metadataLength), out var value);
            if (metadata != TlsCryptV2MetadataParseResult.Ok || value.SerialNumber != entry.Serial || value.CommonName != entry.Name)
                return $"its tls-crypt-v2 key names another certificate ({metadata})";
            return null;
        }
    }

    private void Write(RegistryDocument document) =>
        _directory.WriteAtomically(RegistryFile, JsonSerializer.SerializeToUtf8Bytes(document, RegistryJsonContext.Default.RegistryDocument), FileSecrecy.Secret);

    private string? CheckExpiry(string name, DateTimeOffset notAfter, DateTimeOffset now)
    {
        if (notAfter <= now)
            return $"expiry {notAfter.UtcDateTime:u} for client '{name}' is not in the future (now {now.UtcDateTime:u}); give a later date";
        if (notAfter > _ca.Certificate.NotAfter)
            return $"expiry {notAfter.UtcDateTime:u} for client '{name}' is after the CA's own expiry {_ca.Certificate.NotAfter.ToUniversalTime():u}; give an earlier date or none";
        return null;
    }

    private static RegistryEntry? InForce(RegistryDocument document, string name)
    {
        foreach (var entry in document.Clients)
            if (entry.RevokedAt is null && string.Equals(entry.Name, name, StringComparison.Ordinal))
                return entry;
        return null;
    }

    private static ClientRegistryResult<T> NotInForce<T>(RegistryDocument document, string name) where T : class
    {
        foreach (var entry in document.Clients)
            if (string.Equals(entry.Name, name, StringComparison.Ordinal))
                return ClientRegistryResult.Fail<T>(ClientRegistryError.AlreadyRevoked,
                    $"client '{name}' has no certificate in force (the last one, serial {entry.Serial}, is revoked); issue a new one");
        return ClientRegistryResult.Fail<T>(ClientRegistryError.NotFound, $"no client named '{name}'; list the clients to see the names");
    }

    private static RegistryEntry[] Replace(IReadOnlyList<RegistryEntry> clients, RegistryEntry old, RegistryEntry replacement, RegistryEntry? added)
    {
        var result = new List<RegistryEntry>(clients.Count + 1);
        foreach (var entry in clients)
            result.Add(ReferenceEquals(entry, old) ? replacement : entry);
        if (added is not null)
            result.Add(added);
        return [.. result];
    }

    private static ClientRecord ToRecord(RegistryEntry entry) =>
        new(entry.Name, entry.Serial, entry.CreatedAt, entry.ExpiresAt, entry.RevokedAt, entry.RenewedFrom, entry.Disabled, Fingerprint(entry.Certificate), entry.AllowConcurrent);

    private static string Fingerprint(string certificatePem) =>
        PemEncoding.TryFind(certificatePem, out var fields)
            ? Contracts.CertificateFingerprint.Format(SHA256.HashData(Convert.FromBase64String(certificatePem[fields.Base64Data])))
            : "";

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static RegistryDocument Parse(StateDirectory directory, ApplianceCa ca, byte[] bytes, TimeProvider time)
    {
        string path = directory.PathOf(RegistryFile);
        RegistryDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(bytes, RegistryJsonContext.Default.RegistryDocument);
        }
        catch (JsonException e)
        {
            throw new StateDirectoryException($"'{path}' is not a client registry ({e.Message}); restore it from a backup", e);
        }
        if (document is null || document.Format != RegistryDocument.CurrentFormat)
            throw new StateDirectoryException($"'{path}' has format {document?.Format.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}; this agent reads format {RegistryDocument.CurrentFormat}: run the agent version that wrote it");
        var inForce = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in document.Clients)
        {
            string? problem = ClientName.Check(entry.Name);
            if (problem is null && entry.RevokedAt is null && !inForce.Add(entry.Name))
                problem = "a second certificate in force has this name";
            // An expired certificate's key is dropped (DropKeysOfExpired); one in force that has not expired needs its key.
            if (problem is null && entry.RevokedAt is null && entry.PrivateKey is null && entry.ExpiresAt > time.GetUtcNow())
                problem = "its private key is missing";
            if (problem is null)
                problem = CheckCertificate(ca, entry);
            if (problem is not null)
                throw new StateDirectoryException($"'{path}': client '{entry.Name}' serial {entry.Serial}: {problem}; restore the file from a backup");
        }
        return document;
    }

    private static string? CheckCertificate(ApplianceCa ca, RegistryEntry entry)
    {
        try
        {
            using var certificate = X509Certificate2.CreateFromPem(entry.Certificate);
            if (Convert.ToHexString(certificate.SerialNumberBytes.Span) != entry.Serial)
                return "the certificate's serial differs from the entry's";
            if (!certificate.IssuerName.RawData.AsSpan().SequenceEqual(ca.Certificate.SubjectName.RawData))
                return $"the certificate was issued by '{certificate.Issuer}', not by this CA";
            return null;
        }
        catch (CryptographicException e)
        {
            return "the certificate does not parse: " + e.Message;
        }
    }

    private sealed record PublishedRevocationList(byte[] Der, DateTimeOffset ThisUpdate, DateTimeOffset NextUpdate);
}

using System.Numerics;
using System.Runtime.Versioning;
using System.Security.Cryptography.X509Certificates;
using Appliance.Agent.Pki;
using Appliance.Agent.State;
using Appliance.Tunnel.Control.Tls;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Agent.Tests;

[SupportedOSPlatform("linux")]
public sealed class ClientRegistryTests : IDisposable
{
    private readonly TemporaryStateDirectory _temp = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly ApplianceState _state;

    public ClientRegistryTests() => _state = ApplianceState.Open(_temp.StatePath, new ServerIdentity(), _time);

    private ClientRegistry Clients => _state.Clients;

    public void Dispose()
    {
        _state.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void An_issued_client_gets_a_clientAuth_certificate_for_its_name_and_its_key()
    {
        var issued = Issue("alice");

        using var certificate = X509Certificate2.CreateFromPem(issued.CertificatePem, issued.PrivateKeyPem);
        Assert.Equal("CN=alice", certificate.Subject);
        Assert.Equal(issued.Record.SerialNumber, certificate.SerialNumber);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, certificate.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);
        Assert.Equal(["1.3.6.1.5.5.7.3.2"], certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value));
        Assert.Equal(_state.Ca.Certificate.NotAfter, certificate.NotAfter);
        Assert.Equal(_time.GetUtcNow(), issued.Record.CreatedAt);
        Assert.DoesNotContain("PRIVATE KEY", issued.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_client_issued_by_our_ca_is_accepted_by_the_engine()
    {
        var issued = Issue("alice");
        var validator = Validator();

        using var certificate = X509Certificate2.CreateFromPem(issued.CertificatePem);
        var check = validator.Validate(certificate);

        Assert.True(check.IsAccepted, check.Detail);
        Assert.Equal("alice", check.CommonName);
        Assert.Equal(issued.Record.SerialNumber, check.SerialNumber);
    }

    [Fact]
    public void A_revoked_client_is_refused_by_the_engine_as_Revoked()
    {
        var issued = Issue("alice");
        Assert.True(Clients.Revoke("alice").Succeeded);

        using var certificate = X509Certificate2.CreateFromPem(issued.CertificatePem);
        var check = Validator().Validate(certificate);

        Assert.Equal(ClientCertificateRefusal.Revoked, check.Refusal);
    }

    [Fact]
    public void The_crl_loads_with_the_engines_reader_and_revokes_exactly_the_revoked_serials()
    {
        var alice = Issue("alice");
        var bob = Issue("bob");
        var carol = Issue("carol");
        Clients.Revoke("bob");
        var renewed = Clients.Renew("carol").Value!;

        var crl = LoadCrl(File.ReadAllBytes(_temp.FileIn(ClientRegistry.RevocationListFile)));

        Assert.Equal(2, crl.Count);
        Assert.False(IsRevoked(crl, alice));
        Assert.True(IsRevoked(crl, bob));
        Assert.True(IsRevoked(crl, carol));
        Assert.False(IsRevoked(crl, renewed));
        Assert.Equal(_time.GetUtcNow() + ClientRegistry.RevocationListLifetime, crl.NextUpdate);
    }

    [Fact]
    public void The_crl_number_increases_with_every_change_that_touches_revocation()
    {
        var numbers = new List<BigInteger> { CrlNumber() };
        Issue("alice");
        Issue("bob");
        numbers.Add(CrlNumber());
        Clients.Revoke("alice");
        numbers.Add(CrlNumber());
        Clients.Renew("bob");
        numbers.Add(CrlNumber());

        Assert.Equal([1, 1, 2, 3], numbers);
    }

    [Fact]
    public void List_shows_every_certificate_with_serial_dates_and_revocation_oldest_first()
    {
        var alice = Issue("alice");
        _time.Advance(TimeSpan.FromMinutes(5));
        var bob = Issue("bob", _time.GetUtcNow().AddDays(30));
        _time.Advance(TimeSpan.FromMinutes(5));
        Clients.Revoke("alice");

        var list = Clients.List();

        Assert.Equal(["alice", "bob"], list.Select(c => c.Name));
        Assert.Equal(alice.Record.SerialNumber, list[0].SerialNumber);
        Assert.Equal(_time.GetUtcNow(), list[0].RevokedAt);
        Assert.Null(list[1].RevokedAt);
        Assert.Equal(bob.Record.CreatedAt.AddDays(30), list[1].ExpiresAt);
    }

    [Fact]
    public void A_name_in_force_cannot_be_issued_twice_but_is_free_again_once_revoked()
    {
        var first = Issue("alice");

        var refused = Clients.Issue("alice");
        Assert.Equal(ClientRegistryError.NameInUse, refused.Error);
        Assert.Contains($"client 'alice' already has a certificate in force (serial {first.Record.SerialNumber})", refused.Detail, StringComparison.Ordinal);

        Clients.Revoke("alice");
        var again = Issue("alice");
        Assert.NotEqual(first.Record.SerialNumber, again.Record.SerialNumber);
    }

    public static TheoryData<string, string, string> BadNames => new()
    {
        { "empty", "", "a name is needed" },
        { "a space", "alice smith", "name 'alice smith' contains ' '" },
        { "a slash", "../etc", "name '../etc' contains '/'" },
        { "a non-ASCII letter", "jürgen", "name 'jürgen' contains 'ü'" },
        { "a control character", "a\nb", "contains 'U+000A'" },
        { "65 characters", new string('a', 65), "is 65 characters; at most 64 are allowed" },
    };

    [Theory]
    [MemberData(nameof(BadNames))]
    public void Bad_names_are_refused_with_a_message_naming_the_problem(string why, string name, string expected)
    {
        var result = Clients.Issue(name);

        Assert.Equal(ClientRegistryError.InvalidName, result.Error);
        Assert.True(result.Detail!.Contains(expected, StringComparison.Ordinal), $"{why}: {result.Detail}");
        Assert.Empty(Clients.List());
    }

    [Fact]
    public void Names_of_64_characters_dots_dashes_and_underscores_are_accepted()
    {
        Assert.True(Clients.Issue(new string('x', 64)).Succeeded);
        Assert.True(Clients.Issue("laptop-01.alice_b").Succeeded);
    }

    [Fact]
    public void An_expiry_in_the_past_or_beyond_the_ca_is_refused()
    {
        var past = Clients.Issue("alice", _time.GetUtcNow().AddMinutes(-1));
        var beyond = Clients.Issue("alice", _time.GetUtcNow().AddYears(11));

        Assert.Equal(ClientRegistryError.InvalidExpiry, past.Error);
        Assert.Contains("is not in the future", past.Detail, StringComparison.Ordinal);
        Assert.Equal(ClientRegistryError.InvalidExpiry, beyond.Error);
        Assert.Contains("is after the CA's own expiry", beyond.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_client_past_its_expiry_is_refused_by_the_engine_as_Expired()
    {
        var issued = Issue("alice", _time.GetUtcNow().AddDays(1));
        _time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));

        using var certificate = X509Certificate2.CreateFromPem(issued.CertificatePem);
        Assert.Equal(ClientCertificateRefusal.Expired, Validator().Validate(certificate).Refusal);
    }

    [Fact]
    public void Revoking_or_renewing_an_unknown_name_says_so()
    {
        Issue("alice");
        Clients.Revoke("alice");

        var unknown = Clients.Revoke("bob");
        var revoked = Clients.Renew("alice");

        Assert.Equal(ClientRegistryError.NotFound, unknown.Error);
        Assert.Contains("no client named 'bob'", unknown.Detail, StringComparison.Ordinal);
        Assert.Equal(ClientRegistryError.AlreadyRevoked, revoked.Error);
        Assert.Contains("client 'alice' has no certificate in force", revoked.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Renew_issues_a_new_certificate_for_the_same_name_and_lifetime_and_revokes_the_old_one()
    {
        var old = Issue("alice", _time.GetUtcNow().AddDays(90));
        _time.Advance(TimeSpan.FromDays(80));

        var renewed = Clients.Renew("alice").Value!;

        Assert.Equal("alice", renewed.Record.Name);
        Assert.NotEqual(old.Record.SerialNumber, renewed.Record.SerialNumber);
        Assert.Equal(old.Record.SerialNumber, renewed.Record.RenewedFrom);
        Assert.Equal(_time.GetUtcNow().AddDays(90), renewed.Record.ExpiresAt);
        Assert.Equal(_time.GetUtcNow(), Clients.List().Single(c => c.SerialNumber == old.Record.SerialNumber).RevokedAt);
        Assert.Equal(renewed.Record.SerialNumber, Clients.FindInForce("alice")!.Record.SerialNumber);
        using var oldCertificate = X509Certificate2.CreateFromPem(old.CertificatePem);
        using var newCertificate = X509Certificate2.CreateFromPem(renewed.CertificatePem);
        var validator = Validator();
        Assert.Equal(ClientCertificateRefusal.Revoked, validator.Validate(oldCertificate).Refusal);
        Assert.True(validator.Validate(newCertificate).IsAccepted);
    }

    [Fact]
    public void Every_change_is_on_disk_when_the_call_returns()
    {
        var alice = Issue("alice");
        Issue("bob");
        Clients.Revoke("bob");

        var fromDisk = ClientRegistry.Open(_state.Directory, _state.Ca, _time);

        Assert.False(fromDisk.RevocationListRepublishedAtOpen);
        Assert.Equal(Clients.List(), fromDisk.List());
        Assert.Equal(alice.PrivateKeyPem, fromDisk.FindInForce("alice")!.PrivateKeyPem);
        Assert.Null(fromDisk.FindInForce("bob"));
        Assert.Equal(Clients.RevocationListDer, fromDisk.RevocationListDer);
    }

    [Fact]
    public void A_revoked_clients_private_key_is_deleted()
    {
        var bob = Issue("bob");
        Clients.Revoke("bob");

        Assert.DoesNotContain(bob.PrivateKeyPem.Trim(), File.ReadAllText(_temp.FileIn(ClientRegistry.RegistryFile)), StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_clients_private_key_is_deleted_and_the_registry_still_opens_and_renews_it()
    {
        var carol = Issue("carol", _time.GetUtcNow().AddDays(1));
        var dave = Issue("dave", _time.GetUtcNow().AddDays(2));
        int beforeExpiry = Clients.DropKeysOfExpired();
        _time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));

        var expiredProfile = Clients.FindInForce("carol");
        int dropped = Clients.DropKeysOfExpired();
        string onDisk = File.ReadAllText(_temp.FileIn(ClientRegistry.RegistryFile));
        var reopened = ClientRegistry.Open(_state.Directory, _state.Ca, _time);
        var renewed = reopened.Renew("carol");

        Assert.Equal(0, beforeExpiry);
        Assert.Null(expiredProfile);
        Assert.Equal(1, dropped);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, StoredKey(onDisk, "carol").ValueKind);
        Assert.Equal(dave.PrivateKeyPem, StoredKey(onDisk, "dave").GetString());
        Assert.Equal(dave.PrivateKeyPem, reopened.FindInForce("dave")!.PrivateKeyPem);
        Assert.True(renewed.Succeeded, renewed.Detail);
        Assert.NotEqual(carol.PrivateKeyPem, renewed.Value!.PrivateKeyPem);
        Assert.Equal(renewed.Value.PrivateKeyPem, reopened.FindInForce("carol")!.PrivateKeyPem);
    }

    [Fact]
    public void A_crl_left_behind_by_a_crash_is_re_signed_at_open_with_a_higher_number()
    {
        var bob = Issue("bob");
        byte[] before = File.ReadAllBytes(_temp.FileIn(ClientRegistry.RevocationListFile));
        Clients.Revoke("bob");
        File.WriteAllBytes(_temp.FileIn(ClientRegistry.RevocationListFile), before); // as if the agent died between clients.json and crl.pem

        var reopened = ClientRegistry.Open(_state.Directory, _state.Ca, _time);

        Assert.True(reopened.RevocationListRepublishedAtOpen);
        Assert.True(IsRevoked(LoadCrl(File.ReadAllBytes(_temp.FileIn(ClientRegistry.RevocationListFile))), bob));
        Assert.Equal(3, CrlNumber(reopened.RevocationListDer)); // above the 2 the registry had promised, so never a reuse
    }

    [Fact]
    public void The_crl_is_re_signed_on_schedule_before_its_next_update()
    {
        var firstNext = Clients.RevocationListNextUpdate;
        int changes = 0;
        Clients.RevocationListChanged += _ => changes++;

        _time.Advance(TimeSpan.FromDays(2));
        Assert.False(Clients.RefreshRevocationListIfDue());

        _time.Advance(TimeSpan.FromDays(1));
        Assert.True(Clients.RefreshRevocationListIfDue());

        Assert.Equal(1, changes);
        Assert.Equal(_time.GetUtcNow() + ClientRegistry.RevocationListLifetime, Clients.RevocationListNextUpdate);
        Assert.True(Clients.RevocationListNextUpdate > firstNext);
        Assert.Equal(2, CrlNumber());
        Assert.False(Validator().IsRevocationListStale);
    }

    [Fact]
    public void A_stored_client_renders_a_profile_with_the_ca_its_certificate_and_key_and_its_tls_crypt_v2_key()
    {
        var alice = Issue("alice");
        var stored = Clients.FindInForce("alice")!;

        string profile = Profiles.ProfileRenderer.Render(new Profiles.ClientProfile
        {
            ClientName = stored.Record.Name,
            ServerHost = "vpn.example.net",
            ServerPort = 1194,
            ServerName = _state.Ca.ServerName,
            CaPem = _state.Ca.CertificatePem,
            CertificatePem = stored.CertificatePem,
            PrivateKeyPem = stored.PrivateKeyPem,
            TlsCryptV2Key = stored.TlsCryptV2KeyPem,
        });

        Assert.Contains("verify-x509-name appliance name\n", profile, StringComparison.Ordinal);
        Assert.Contains(alice.PrivateKeyPem.Trim(), profile, StringComparison.Ordinal);
        Assert.Contains(_state.Ca.CertificatePem.Trim(), profile, StringComparison.Ordinal);
        Assert.Contains(alice.TlsCryptV2KeyPem.Trim(), profile, StringComparison.Ordinal);
        Assert.Contains("-----BEGIN OpenVPN tls-crypt-v2 client key-----", profile, StringComparison.Ordinal);
    }

    [Fact]
    public void A_registry_that_does_not_parse_is_refused_naming_the_file()
    {
        File.WriteAllText(_temp.FileIn(ClientRegistry.RegistryFile), "{ not json");

        var refused = Assert.Throws<StateDirectoryException>(() => ClientRegistry.Open(_state.Directory, _state.Ca, _time));

        Assert.Contains($"'{_temp.FileIn(ClientRegistry.RegistryFile)}' is not a client registry", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_disabled_client_is_refused_by_the_engines_refusal_list_but_not_published_as_revoked()
    {
        var alice = Issue("alice");
        var bob = Issue("bob");
        int accessChanges = 0;
        Clients.AccessChanged += _ => accessChanges++;

        var disabled = Clients.SetDisabled("alice", disabled: true);

        Assert.True(disabled.Value!.Disabled);
        Assert.Equal(1, accessChanges);
        var refusals = LoadCrl(Clients.SignRefusalList());
        Assert.True(IsRevoked(refusals, alice));
        Assert.False(IsRevoked(refusals, bob));
        Assert.False(IsRevoked(LoadCrl(Clients.RevocationListDer), alice));
        using var certificate = X509Certificate2.CreateFromPem(alice.CertificatePem);
        Assert.Equal(ClientCertificateRefusal.Revoked, new ClientCertificateValidator(_state.Ca.Certificate, refusals, _time).Validate(certificate).Refusal);
    }

    [Fact]
    public void Enabling_again_lifts_the_refusal_and_disabling_twice_changes_nothing()
    {
        var alice = Issue("alice");
        Clients.SetDisabled("alice", disabled: true);
        int accessChanges = 0;
        Clients.AccessChanged += _ => accessChanges++;

        Clients.SetDisabled("alice", disabled: true);
        Assert.Equal(0, accessChanges);
        Clients.SetDisabled("alice", disabled: false);

        Assert.Equal(1, accessChanges);
        Assert.False(IsRevoked(LoadCrl(Clients.SignRefusalList()), alice));
        Assert.False(Clients.FindLatest("alice")!.Disabled);
    }

    [Fact]
    public void The_disabled_flag_is_durable_and_survives_a_renewal()
    {
        Issue("alice");
        Clients.SetDisabled("alice", disabled: true);
        var renewed = Clients.Renew("alice");

        using (var reopened = ReopenElsewhere())
        {
            Assert.True(reopened.Clients.FindLatest("alice")!.Disabled);
            Assert.Equal(renewed.Value!.Record.SerialNumber, reopened.Clients.FindLatest("alice")!.SerialNumber);
        }
    }

    [Fact]
    public void Concurrent_sessions_are_off_by_default_and_the_setting_is_durable_and_survives_a_renewal()
    {
        Issue("alice");
        Issue("bob");
        Assert.False(Clients.AllowsConcurrent("alice"));

        var allowed = Clients.SetAllowConcurrent("alice", allow: true);
        Clients.Renew("alice");

        Assert.True(allowed.Value!.AllowConcurrent);
        Assert.True(Clients.AllowsConcurrent("alice"));
        Assert.False(Clients.AllowsConcurrent("bob"));
        Assert.False(Clients.AllowsConcurrent("nobody"));
        using (var reopened = ReopenElsewhere())
            Assert.True(reopened.Clients.FindLatest("alice")!.AllowConcurrent);
        Clients.SetAllowConcurrent("alice", allow: false);
        Assert.False(Clients.AllowsConcurrent("alice"));
    }

    [Fact]
    public void Concurrent_sessions_cannot_be_allowed_for_a_client_not_in_force()
    {
        Issue("alice");
        Clients.Revoke("alice");

        var result = Clients.SetAllowConcurrent("alice", allow: true);

        Assert.False(result.Succeeded);
        Assert.False(Clients.AllowsConcurrent("alice"));
    }

    [Fact]
    public void A_registry_written_before_the_disabled_flag_existed_still_loads()
    {
        Issue("alice");
        string path = _state.Directory.PathOf(ClientRegistry.RegistryFile);
        string text = File.ReadAllText(path);
        Assert.Contains("\"disabled\": false", text, StringComparison.Ordinal);
        File.WriteAllText(path, text.Replace(",\n      \"disabled\": false", "", StringComparison.Ordinal));
        Assert.DoesNotContain("disabled", File.ReadAllText(path), StringComparison.Ordinal);

        using var reopened = ReopenElsewhere();

        Assert.False(reopened.Clients.FindLatest("alice")!.Disabled);
    }

    [Fact]
    public void Disabling_an_unknown_or_revoked_name_says_which()
    {
        Issue("alice");
        Clients.Revoke("alice");

        Assert.Equal(ClientRegistryError.NotFound, Clients.SetDisabled("bob", true).Error);
        Assert.Equal(ClientRegistryError.AlreadyRevoked, Clients.SetDisabled("alice", true).Error);
    }

    /// <summary>A copy of the state directory opened as a second agent would after a restart.</summary>
    private ApplianceState ReopenElsewhere()
    {
        string copy = _temp.StatePath + "-copy";
        Directory.CreateDirectory(copy);
        foreach (string file in Directory.EnumerateFiles(_temp.StatePath))
        {
            if (Path.GetFileName(file) != StateDirectory.LockFileName)
                File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }
        return ApplianceState.Open(copy, new ServerIdentity(), _time);
    }

    private static System.Text.Json.JsonElement StoredKey(string registryJson, string name)
    {
        using var document = System.Text.Json.JsonDocument.Parse(registryJson);
        return document.RootElement.GetProperty("clients").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == name).GetProperty("privateKey").Clone();
    }

    private IssuedClient Issue(string name, DateTimeOffset? expiresAt = null)
    {
        var result = Clients.Issue(name, expiresAt);
        Assert.True(result.Succeeded, result.Detail);
        return result.Value!;
    }

    private ClientCertificateValidator Validator() => new(_state.Ca.Certificate, LoadCrl(Clients.RevocationListDer), _time);

    private CertificateRevocationList LoadCrl(byte[] derOrPem)
    {
        Assert.True(CertificateRevocationList.TryLoad(derOrPem, _state.Ca.Certificate, out var crl, out string? error), error);
        return crl!;
    }

    private static bool IsRevoked(CertificateRevocationList crl, IssuedClient client)
    {
        using var certificate = X509Certificate2.CreateFromPem(client.CertificatePem);
        return crl.IsRevoked(certificate);
    }

    private BigInteger CrlNumber() => CrlNumber(Clients.RevocationListDer);

    private static BigInteger CrlNumber(byte[] der)
    {
        CertificateRevocationListBuilder.Load(der, out BigInteger number);
        return number;
    }
}

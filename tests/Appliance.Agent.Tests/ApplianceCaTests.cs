using System.Net;
using System.Runtime.Versioning;
using System.Security.Cryptography.X509Certificates;
using Appliance.Agent.Pki;
using Appliance.Agent.State;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Agent.Tests;

[SupportedOSPlatform("linux")]
public sealed class ApplianceCaTests : IDisposable
{
    private const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Mode0644 = Mode0600 | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private static readonly ServerIdentity Identity = new()
    {
        Name = "vpn.example.net",
        DnsNames = ["appliance.lan"],
        Addresses = [IPAddress.Parse("192.0.2.10")],
    };

    private readonly TemporaryStateDirectory _temp = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void First_start_creates_the_ca_server_certificate_tls_crypt_key_pairing_token_and_an_empty_crl()
    {
        using var state = ApplianceState.Open(_temp.StatePath, Identity, _time);

        Assert.True(state.CreatedCa);
        Assert.NotNull(state.NewPairingToken);
        Assert.Equal(
            ["agent.lock", "ca.crt", "ca.key", "clients.json", "crl.pem", "pairing-token.sha256", "server.crt", "server.key", "tls-crypt-v2-server.key", "tls-crypt.key"],
            Directory.GetFiles(_temp.StatePath).Select(Path.GetFileName).Order());
        Assert.Empty(state.Clients.List());
    }

    [Theory]
    [InlineData("ca.key")]
    [InlineData("server.key")]
    [InlineData("tls-crypt.key")]
    [InlineData("tls-crypt-v2-server.key")]
    [InlineData("pairing-token.sha256")]
    [InlineData("clients.json")]
    public void Secrets_are_mode_0600(string file)
    {
        using var state = ApplianceState.Open(_temp.StatePath, Identity, _time);

        Assert.Equal(Mode0600, File.GetUnixFileMode(_temp.FileIn(file)));
    }

    [Theory]
    [InlineData("ca.crt")]
    [InlineData("server.crt")]
    [InlineData("crl.pem")]
    public void Certificates_and_the_crl_are_mode_0644_inside_the_0700_directory(string file)
    {
        using var state = ApplianceState.Open(_temp.StatePath, Identity, _time);

        Assert.Equal(Mode0644, File.GetUnixFileMode(_temp.FileIn(file)));
    }

    [Fact]
    public void The_ca_is_a_ten_year_p256_authority_that_may_sign_certificates_and_crls_only()
    {
        using var state = ApplianceState.Open(_temp.StatePath, Identity, _time);
        var ca = state.Ca.Certificate;

        Assert.Equal("CN=vpn.example.net CA", ca.Subject);
        Assert.Equal(ca.Subject, ca.Issuer);
        Assert.Equal(_time.GetUtcNow() + ApplianceCa.CaLifetime, new DateTimeOffset(ca.NotAfter));
        using (var key = ca.GetECDsaPublicKey())
            Assert.Equal(256, key!.KeySize);
        var constraints = Extension<X509BasicConstraintsExtension>(ca);
        Assert.True(constraints.CertificateAuthority);
        Assert.True(constraints.Critical);
        Assert.Equal(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, Extension<X509KeyUsageExtension>(ca).KeyUsages);
        Assert.False(ca.HasPrivateKey);
    }

    [Fact]
    public void The_server_certificate_is_for_serverAuth_with_the_configured_name_and_alternative_names()
    {
        using var state = ApplianceState.Open(_temp.StatePath, Identity, _time);
        var server = state.Ca.ServerCertificate;

        Assert.Equal("CN=vpn.example.net", server.Subject);
        Assert.Equal("vpn.example.net", state.Ca.ServerName);
        Assert.True(server.HasPrivateKey);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, Extension<X509KeyUsageExtension>(server).KeyUsages);
        Assert.Equal(["1.3.6.1.5.5.7.3.1"], Extension<X509EnhancedKeyUsageExtension>(server).EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value));
        Assert.False(Extension<X509BasicConstraintsExtension>(server).CertificateAuthority);
        var names = Extension<X509SubjectAlternativeNameExtension>(server);
        Assert.Equal(["vpn.example.net", "appliance.lan"], names.EnumerateDnsNames());
        Assert.Equal([IPAddress.Parse("192.0.2.10")], names.EnumerateIPAddresses());
        Assert.True(ChainsTo(server, state.Ca.Certificate));
    }

    [Fact]
    public void The_tls_crypt_key_file_is_an_openvpn_static_key()
    {
        using var state = ApplianceState.Open(_temp.StatePath, Identity, _time);

        string text = File.ReadAllText(_temp.FileIn(ApplianceCa.TlsCryptKeyFile));
        Assert.Contains("-----BEGIN OpenVPN Static key V1-----", text, StringComparison.Ordinal);
        Assert.Equal(state.Ca.TlsCryptKey.ToFileText(), text);
    }

    [Fact]
    public void A_restart_reuses_the_ca_server_certificate_tls_crypt_key_and_pairing_token()
    {
        string token;
        string caThumbprint, serverThumbprint, tlsCrypt;
        using (var first = ApplianceState.Open(_temp.StatePath, Identity, _time))
        {
            token = first.NewPairingToken!;
            (caThumbprint, serverThumbprint, tlsCrypt) = (first.Ca.Certificate.Thumbprint, first.Ca.ServerCertificate.Thumbprint, first.Ca.TlsCryptKey.ToFileText());
        }

        using var second = ApplianceState.Open(_temp.StatePath, Identity with { Name = "ignored-after-first-start" }, _time);

        Assert.False(second.CreatedCa);
        Assert.Null(second.NewPairingToken);
        Assert.Equal(caThumbprint, second.Ca.Certificate.Thumbprint);
        Assert.Equal(serverThumbprint, second.Ca.ServerCertificate.Thumbprint);
        Assert.True(second.Ca.ServerCertificate.HasPrivateKey);
        Assert.Equal(tlsCrypt, second.Ca.TlsCryptKey.ToFileText());
        Assert.True(second.Pairing.Verify(token));
    }

    [Fact]
    public void The_pairing_token_is_32_random_bytes_base64url_stored_only_as_a_hash()
    {
        using var state = ApplianceState.Open(_temp.StatePath, Identity, _time);
        string token = state.NewPairingToken!;

        Assert.Equal(32, System.Buffers.Text.Base64Url.DecodeFromChars(token).Length);
        Assert.DoesNotContain(token, File.ReadAllText(_temp.FileIn(PairingToken.FileName)), StringComparison.Ordinal);
        Assert.True(state.Pairing.Verify(token));
        Assert.False(state.Pairing.Verify(token[..^1] + (token[^1] == 'A' ? 'B' : 'A')));
        Assert.False(state.Pairing.Verify(""));
        Assert.False(state.Pairing.Verify(null));
    }

    [Fact]
    public void Resetting_the_pairing_token_retires_the_old_one_across_restarts()
    {
        string old, fresh;
        using (var state = ApplianceState.Open(_temp.StatePath, Identity, _time))
        {
            old = state.NewPairingToken!;
            fresh = state.Pairing.Reset();
        }

        using var restarted = ApplianceState.Open(_temp.StatePath, Identity, _time);
        Assert.False(restarted.Pairing.Verify(old));
        Assert.True(restarted.Pairing.Verify(fresh));
    }

    [Fact]
    public void A_crash_during_first_start_before_ca_crt_is_written_starts_over()
    {
        Directory.CreateDirectory(_temp.StatePath);
        File.WriteAllText(_temp.FileIn("ca.key"), "left by a crash");

        using var state = ApplianceState.Open(_temp.StatePath, Identity, _time);

        Assert.True(state.CreatedCa);
        Assert.True(ChainsTo(state.Ca.ServerCertificate, state.Ca.Certificate));
    }

    [Theory]
    [InlineData("ca.key")]
    [InlineData("server.crt")]
    [InlineData("tls-crypt.key")]
    public void A_missing_file_of_an_existing_ca_is_refused_naming_it_and_the_fix(string file)
    {
        using (ApplianceState.Open(_temp.StatePath, Identity, _time)) { }
        File.Delete(_temp.FileIn(file));

        var refused = Assert.Throws<StateDirectoryException>(() => ApplianceState.Open(_temp.StatePath, Identity, _time));

        Assert.Contains($"'{_temp.FileIn(file)}' is missing", refused.Message, StringComparison.Ordinal);
        Assert.Contains("restore the file from a backup", refused.Message, StringComparison.Ordinal);
        using var reopened = StateDirectory.Open(_temp.StatePath); // the failed open released the lock
    }

    [Fact]
    public void A_server_name_that_is_not_a_valid_name_is_refused()
    {
        var refused = Assert.Throws<ArgumentException>(() => ApplianceState.Open(_temp.StatePath, Identity with { Name = "my server" }, _time));

        Assert.Contains("name 'my server' contains ' '", refused.Message, StringComparison.Ordinal);
    }

    private static T Extension<T>(X509Certificate2 certificate) where T : X509Extension =>
        certificate.Extensions.OfType<T>().Single();

    private static bool ChainsTo(X509Certificate2 leaf, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = leaf.NotBefore.AddHours(2);
        return chain.Build(leaf);
    }
}

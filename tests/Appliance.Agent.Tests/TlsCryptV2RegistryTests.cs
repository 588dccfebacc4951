using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Appliance.Agent.Pki;
using Appliance.Agent.State;
using Appliance.Agent.Tunnel;
using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Agent.Tests;

/// <summary>The agent's side of tls-crypt-v2: the server key in the state directory, a key per client in the registry, and the policy the engine asks.</summary>
[SupportedOSPlatform("linux")]
public sealed class TlsCryptV2RegistryTests : IDisposable
{
    private static readonly ServerIdentity Identity = new();
    private readonly TemporaryStateDirectory _temp = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private ApplianceState? _state;

    public TlsCryptV2RegistryTests() => _state = ApplianceState.Open(_temp.StatePath, Identity, _time);

    public void Dispose()
    {
        _state?.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void First_start_creates_a_tls_crypt_v2_server_key_that_survives_a_restart()
    {
        Assert.True(_state!.Ca.CreatedTlsCryptV2ServerKey);
        string text = File.ReadAllText(_temp.FileIn(ApplianceCa.TlsCryptV2ServerKeyFile));
        Assert.StartsWith("-----BEGIN OpenVPN tls-crypt-v2 server key-----", text, StringComparison.Ordinal);
        Assert.Equal(_state!.Ca.TlsCryptV2ServerKey.ToPemText(), text);

        Reopen();

        Assert.False(_state!.Ca.CreatedTlsCryptV2ServerKey);
        Assert.Equal(text, _state!.Ca.TlsCryptV2ServerKey.ToPemText());
    }

    [Fact]
    public void Issued_client_gets_its_own_v2_key_sealing_its_serial_name_and_expiry()
    {
        var alice = Issue("alice");
        var bob = Issue("bob");

        var metadata = Unwrap(alice.TlsCryptV2KeyPem);

        Assert.Equal(new TlsCryptV2Metadata(1, alice.Record.SerialNumber, "alice", TruncatedToSeconds(alice.Record.ExpiresAt)), metadata);
        Assert.NotEqual(alice.TlsCryptV2KeyPem, bob.TlsCryptV2KeyPem);
        Assert.Equal(alice.TlsCryptV2KeyPem, Clients.FindInForce("alice")!.TlsCryptV2KeyPem);
        Assert.DoesNotContain("tls-crypt-v2 client key", alice.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Revoking_drops_the_v2_key_from_the_registry_and_renewing_makes_a_new_one()
    {
        var alice = Issue("alice");
        var renewed = Clients.Renew("alice").Value!;

        Assert.NotEqual(alice.TlsCryptV2KeyPem, renewed.TlsCryptV2KeyPem);
        Assert.Equal(renewed.Record.SerialNumber, Unwrap(renewed.TlsCryptV2KeyPem).SerialNumber);
        string registry = File.ReadAllText(_temp.FileIn(ClientRegistry.RegistryFile));
        Assert.DoesNotContain(Body(alice.TlsCryptV2KeyPem), registry, StringComparison.Ordinal);

        Assert.True(Clients.Revoke("alice").Succeeded);
        registry = File.ReadAllText(_temp.FileIn(ClientRegistry.RegistryFile));
        Assert.DoesNotContain(Body(renewed.TlsCryptV2KeyPem), registry, StringComparison.Ordinal);
    }

    [Fact]
    public void State_from_before_tls_crypt_v2_gets_a_server_key_and_a_v2_key_per_client_in_force_at_open()
    {
        var alice = Issue("alice");
        Issue("mallory");
        Assert.True(Clients.Revoke("mallory").Succeeded);
        Close();
        File.Delete(_temp.FileIn(ApplianceCa.TlsCryptV2ServerKeyFile));
        var document = JsonNode.Parse(File.ReadAllText(_temp.FileIn(ClientRegistry.RegistryFile)))!;
        foreach (var entry in document["clients"]!.AsArray())
            entry!.AsObject().Remove("tlsCryptV2Key");
        File.WriteAllText(_temp.FileIn(ClientRegistry.RegistryFile), document.ToJsonString());

        _state = ApplianceState.Open(_temp.StatePath, Identity, _time);

        Assert.True(_state!.Ca.CreatedTlsCryptV2ServerKey);
        Assert.True(Clients.TlsCryptV2KeysAddedAtOpen);
        var reopened = Clients.FindInForce("alice")!;
        Assert.Equal(alice.Record.SerialNumber, Unwrap(reopened.TlsCryptV2KeyPem).SerialNumber);
        Assert.Null(RevokedEntry()["tlsCryptV2Key"]);
        Reopen();
        Assert.False(Clients.TlsCryptV2KeysAddedAtOpen);
        Assert.Equal(reopened.TlsCryptV2KeyPem, Clients.FindInForce("alice")!.TlsCryptV2KeyPem);
    }

    [Fact]
    public void Lost_server_key_while_clients_hold_v2_keys_is_refused_naming_the_file_and_the_fix()
    {
        Issue("alice");
        Close();
        File.Delete(_temp.FileIn(ApplianceCa.TlsCryptV2ServerKeyFile));

        var refused = Assert.Throws<StateDirectoryException>(() => _state = ApplianceState.Open(_temp.StatePath, Identity, _time));

        Assert.Contains("client 'alice'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("not made with this 'tls-crypt-v2-server.key'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("restore 'tls-crypt-v2-server.key'", refused.Message, StringComparison.Ordinal);
        using var again = StateDirectory.Open(_temp.StatePath); // the failed open released its lock
    }

    [Fact]
    public void Server_key_file_that_does_not_parse_is_refused_naming_it()
    {
        Close();
        File.WriteAllText(_temp.FileIn(ApplianceCa.TlsCryptV2ServerKeyFile), "-----BEGIN OpenVPN tls-crypt-v2 server key-----\nAAAA\n-----END OpenVPN tls-crypt-v2 server key-----\n");

        var refused = Assert.Throws<StateDirectoryException>(() => _state = ApplianceState.Open(_temp.StatePath, Identity, _time));

        Assert.Contains($"'{_temp.FileIn(ApplianceCa.TlsCryptV2ServerKeyFile)}' is not an OpenVPN tls-crypt-v2 server key (WrongLength)", refused.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, TlsCryptV2Verdict> Verdicts => new()
    {
        { "client_in_force", TlsCryptV2Verdict.Accepted },
        { "unknown_serial", TlsCryptV2Verdict.UnknownClient },
        { "serial_of_another_name", TlsCryptV2Verdict.UnknownClient },
        { "revoked", TlsCryptV2Verdict.Revoked },
        { "renewed_away", TlsCryptV2Verdict.Revoked },
        { "disabled", TlsCryptV2Verdict.Disabled },
        { "certificate_expired", TlsCryptV2Verdict.Expired },
        { "key_not_after_passed", TlsCryptV2Verdict.Expired },
    };

    [Theory]
    [MemberData(nameof(Verdicts))]
    public void Policy_answers_from_the_registry(string situation, TlsCryptV2Verdict expected)
    {
        var alice = Issue("alice", _time.GetUtcNow().AddDays(30));
        var metadata = Unwrap(alice.TlsCryptV2KeyPem);
        var policy = new RegistryTlsCryptV2Policy(Clients, _time);
        switch (situation)
        {
            case "unknown_serial":
                metadata = metadata with { SerialNumber = "4000000000000000000000000000000F" };
                break;
            case "serial_of_another_name":
                metadata = metadata with { CommonName = "bob" };
                break;
            case "revoked":
                Assert.True(Clients.Revoke("alice").Succeeded);
                break;
            case "renewed_away":
                Assert.True(Clients.Renew("alice").Succeeded);
                break;
            case "disabled":
                Assert.True(Clients.SetDisabled("alice", true).Succeeded);
                break;
            case "certificate_expired":
                _time.Advance(TimeSpan.FromDays(31));
                break;
            case "key_not_after_passed":
                metadata = metadata with { NotAfter = _time.GetUtcNow().AddSeconds(-1) };
                break;
        }

        Assert.Equal(expected, policy.Check(in metadata));
    }

    [Fact]
    public void Enabling_a_disabled_client_accepts_its_key_again()
    {
        var alice = Issue("alice");
        var metadata = Unwrap(alice.TlsCryptV2KeyPem);
        var policy = new RegistryTlsCryptV2Policy(Clients, _time);
        Clients.SetDisabled("alice", true);
        Assert.Equal(TlsCryptV2Verdict.Disabled, policy.Check(in metadata));

        Clients.SetDisabled("alice", false);

        Assert.Equal(TlsCryptV2Verdict.Accepted, policy.Check(in metadata));
    }

    [Fact]
    public void Tunnel_accepts_old_profiles_shared_key_and_judges_a_v2_opening_by_the_registry_before_tls()
    {
        var alice = Issue("alice");
        Issue("bob");
        Assert.True(Clients.Revoke("bob").Succeeded);
        var wrapping = TunnelHost.ControlWrappingFor(_state!, _time);

        Assert.Equal(ControlWrapMode.TlsCrypt, wrapping.Mode);
        Assert.Same(_state!.Ca.TlsCryptKey, wrapping.Key);
        Assert.Same(_state!.Ca.TlsCryptV2ServerKey, wrapping.TlsCryptV2!.ServerKey);

        // An opening as the client sends it: reset V3 wrapped under Kc, WKc appended.
        TlsCryptV2ClientKey.TryParse(alice.TlsCryptV2KeyPem, out var clientKey);
        using (clientKey)
        using (var kc = StaticKey.FromBytes(clientKey!.ClientKey))
        using (var client = new TlsCryptWrapper(kc, KeyDirection.Inverse))
        using (var unwrapper = wrapping.TlsCryptV2.CreateUnwrapper())
        {
            byte[] plain = new byte[ControlPacket.SizeOf(Opcode.ControlHardResetClientV3, 0, 0)];
            ControlPacket.TryWrite(plain, Opcode.ControlHardResetClientV3, 0, 0x0102030405060708, [], 0, 0, [], out _);
            byte[] wire = new byte[plain.Length + client.Overhead + clientKey.WrappedKey.Length];
            Assert.True(client.TryWrap(plain, new WrapReplayId(0x0F000001, 1), wire, out int written));
            clientKey.WrappedKey.CopyTo(wire.AsSpan(written));

            Assert.Equal(TlsCryptV2UnwrapResult.Ok, unwrapper.Unwrap(wire, new byte[wire.Length], out var opening));
            Assert.Equal(TlsCryptV2Verdict.Accepted, opening.Admit(wrapping.TlsCryptV2.Policy, out _, out _));
            Assert.True(Clients.Revoke("alice").Succeeded);
            Assert.Equal(TlsCryptV2Verdict.Revoked, opening.Admit(wrapping.TlsCryptV2.Policy, out _, out _));
        }
    }

    private ClientRegistry Clients => _state!.Clients;

    private void Close()
    {
        _state!.Dispose();
        _state = null;
    }

    private void Reopen()
    {
        Close();
        _state = ApplianceState.Open(_temp.StatePath, Identity, _time);
    }

    private IssuedClient Issue(string name, DateTimeOffset? expiresAt = null)
    {
        var result = Clients.Issue(name, expiresAt);
        Assert.True(result.Succeeded, result.Detail);
        return result.Value!;
    }

    private TlsCryptV2Metadata Unwrap(string pem)
    {
        Assert.Equal(TlsCryptV2KeyParseResult.Ok, TlsCryptV2ClientKey.TryParse(pem, out var key));
        using (key)
        using (var cipher = new TlsCryptV2WrappedKeyCipher(_state!.Ca.TlsCryptV2ServerKey))
        {
            byte[] clear = new byte[TlsCryptV2WrappedKey.MaxLength];
            Assert.Equal(TlsCryptV2UnwrapResult.Ok, cipher.Unwrap(key!.WrappedKey, clear, out int metadataLength));
            Assert.Equal(TlsCryptV2MetadataParseResult.Ok, TlsCryptV2Metadata.TryParse(clear.AsSpan(TlsCryptV2WrappedKey.ClientKeySize, metadataLength), out var metadata));
            return metadata;
        }
    }

    private JsonNode RevokedEntry()
    {
        var document = JsonNode.Parse(File.ReadAllText(_temp.FileIn(ClientRegistry.RegistryFile)))!;
        return document["clients"]!.AsArray().Single(e => e!["name"]!.GetValue<string>() == "mallory")!;
    }

    private static string Body(string pem) => pem.Split('\n')[1];

    private static DateTimeOffset TruncatedToSeconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());
}

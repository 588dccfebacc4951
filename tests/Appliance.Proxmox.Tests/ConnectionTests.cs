using Appliance.Proxmox.Connection;
using Appliance.Proxmox.Tests.FakePve;

namespace Appliance.Proxmox.Tests;

/// <summary>Connection settings are validated with messages naming field, value and fix; the secret never shows.</summary>
public sealed class ConnectionTests
{
    private const string Secret = "5f0c7a7e-3c55-4f0e-9d2a-8e1b6c4d2a10";

    private static ProxmoxConnection Valid() => new()
    {
        BaseUrl = new Uri("https://pve.lan:8006"),
        TokenId = "panel@pve!appliance",
        Secret = Secret,
        PinnedFingerprint = "AB:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00",
    };

    [Fact]
    public void Complete_settings_are_valid()
        => Assert.Empty(Valid().Validate());

    public static TheoryData<string, Action<ProxmoxConnection>, string> Problems => new()
    {
        { "missing base URL", c => c.BaseUrl = null, "BaseUrl is missing" },
        { "plain http", c => c.BaseUrl = new Uri("http://pve.lan:8006"), "'http://pve.lan:8006/' is not an absolute https:// URL" },
        { "path in base URL", c => c.BaseUrl = new Uri("https://pve.lan:8006/api2/json"), "carries a path" },
        { "token without realm", c => c.TokenId = "panel!appliance", "TokenId 'panel!appliance' is not of the form USER@REALM!TOKENID" },
        { "user id instead of token id", c => c.TokenId = "panel@pve", "USER@REALM!TOKENID" },
        { "missing secret", c => c.Secret = "", "Secret is missing" },
        { "short fingerprint", c => c.PinnedFingerprint = "AB:CD", "PinnedFingerprint 'AB:CD' is not a SHA-256 fingerprint" },
        { "node certificate as CA", c => c.TrustedClusterCaPem = TestCertificates.Pem(TestCertificates.Node), "is not a CA certificate" },
        { "CA that is not PEM", c => c.TrustedClusterCaPem = "MIIB...", "no '-----BEGIN CERTIFICATE-----' block" },
        { "zero timeout", c => c.RequestTimeout = TimeSpan.Zero, "RequestTimeout" },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public void Problem_is_named_with_its_field_and_value(string name, Action<ProxmoxConnection> spoil, string expected)
    {
        var connection = Valid();
        spoil(connection);

        var error = Assert.Single(connection.Validate());

        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.NotNull(name);
    }

    [Fact]
    public void Secret_with_whitespace_is_refused_without_echoing_it()
    {
        var connection = Valid();
        connection.Secret = Secret + " \n";

        var error = Assert.Single(connection.Validate());

        Assert.Contains("Secret contains whitespace", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_hides_the_secret()
    {
        var text = Valid().ToString();
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.Contains("panel@pve!appliance", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Client_refuses_invalid_settings_listing_every_problem()
    {
        var connection = new ProxmoxConnection { TokenId = "nobody" };
        var thrown = Assert.Throws<ArgumentException>(() => new ProxmoxClient(connection, TimeProvider.System));
        Assert.Contains("BaseUrl is missing", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("TokenId 'nobody'", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("Secret is missing", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void User_id_is_the_token_owner()
        => Assert.Equal("panel@pve", Valid().UserId);
}

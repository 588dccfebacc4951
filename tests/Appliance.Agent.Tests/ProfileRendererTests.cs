using Appliance.Agent.Profiles;

namespace Appliance.Agent.Tests;

public sealed class ProfileRendererTests
{
    private const string V2Key = "-----BEGIN OpenVPN tls-crypt-v2 client key-----\nV2-CLIENT-KEY\n-----END OpenVPN tls-crypt-v2 client key-----\n";
    private const string V1Key = "-----BEGIN OpenVPN Static key V1-----\nabcd\n-----END OpenVPN Static key V1-----\n";

    private static ClientProfile Profile(ProfilePlatform platform = ProfilePlatform.Windows, bool tcp = false) => new()
    {
        ClientName = "shop-pc-1",
        ServerHost = "vpn.example.net",
        ServerPort = 1194,
        Tcp = tcp,
        ServerName = "appliance-server",
        CaPem = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n",
        CertificatePem = "-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n",
        PrivateKeyPem = "-----BEGIN PRIVATE KEY-----\nSECRET-KEY\n-----END PRIVATE KEY-----\n",
        TlsCryptV2Key = V2Key,
        Platform = platform,
    };

    [Fact]
    public void Udp_profile_is_a_tap_client_with_everything_inline()
    {
        string text = ProfileRenderer.Render(Profile());

        string[] lines = text.Split('\n');
        Assert.Contains("client", lines);
        Assert.Contains("dev tap", lines);
        Assert.Contains("proto udp", lines);
        Assert.Contains("remote vpn.example.net 1194", lines);
        Assert.Contains("remote-cert-tls server", lines);
        Assert.Contains("verify-x509-name appliance-server name", lines);
        Assert.Contains("explicit-exit-notify 1", lines);
        Assert.Contains("persist-tun", lines);
        foreach (var tag in new[] { "ca", "cert", "key", "tls-crypt-v2" })
        {
            Assert.Contains($"<{tag}>", lines);
            Assert.Contains($"</{tag}>", lines);
        }
        Assert.DoesNotContain("<tls-crypt>", lines);
        Assert.Contains("V2-CLIENT-KEY", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("cipher", StringComparison.Ordinal) || l.StartsWith("comp", StringComparison.Ordinal) || l.StartsWith("fragment", StringComparison.Ordinal));
    }

    [Fact]
    public void Tcp_profile_dials_tcp_and_has_no_exit_notify()
    {
        string[] lines = ProfileRenderer.Render(Profile(tcp: true)).Split('\n');

        Assert.Contains("proto tcp-client", lines);
        Assert.DoesNotContain("explicit-exit-notify 1", lines);
    }

    [Fact]
    public void Windows_profile_names_the_driver_that_drops_short_frames_and_the_fix()
    {
        string text = ProfileRenderer.Render(Profile(ProfilePlatform.Windows));

        Assert.Contains("TAP-Windows6 9.25", text, StringComparison.Ordinal);
        Assert.Contains("shorter than 34 bytes", text, StringComparison.Ordinal);
        Assert.Contains("OpenVPN Connect cannot", text, StringComparison.Ordinal);
        Assert.DoesNotContain("script-security", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Linux_profile_brings_its_ip_less_tap_up_itself()
    {
        string[] lines = ProfileRenderer.Render(Profile(ProfilePlatform.Linux)).Split('\n');

        Assert.Contains("script-security 2", lines);
        Assert.Contains(lines, l => l.StartsWith("up ", StringComparison.Ordinal) && l.Contains("ip link set dev", StringComparison.Ordinal));
    }

    [Fact]
    public void Describing_a_profile_never_shows_its_private_key()
    {
        string description = Profile().ToString();

        Assert.DoesNotContain("SECRET-KEY", description, StringComparison.Ordinal);
        Assert.Contains("shop-pc-1", description, StringComparison.Ordinal);
    }

    [Fact]
    public void Old_profile_option_renders_the_shared_tls_crypt_key_and_no_v2_key()
    {
        string[] lines = ProfileRenderer.Render(Profile() with { ControlWrap = ProfileControlWrap.TlsCrypt, TlsCryptKey = V1Key, TlsCryptV2Key = null }).Split('\n');

        Assert.Contains("<tls-crypt>", lines);
        Assert.Contains("abcd", lines);
        Assert.DoesNotContain("<tls-crypt-v2>", lines);
    }

    [Theory]
    [InlineData(ProfileControlWrap.TlsCryptV2)]
    [InlineData(ProfileControlWrap.TlsCrypt)]
    public void Profile_without_the_key_of_its_wrap_is_a_caller_error(ProfileControlWrap wrap)
    {
        var refused = Assert.Throws<ArgumentException>(() => ProfileRenderer.Render(Profile() with { ControlWrap = wrap, TlsCryptKey = null, TlsCryptV2Key = null }));

        Assert.Contains("shop-pc-1", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET-KEY", refused.Message, StringComparison.Ordinal);
    }
}

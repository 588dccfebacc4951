using System.Globalization;
using System.Text;

namespace Appliance.Agent.Profiles;

/// <summary>Writes the .ovpn a stock OpenVPN 2.6 client uses as is: <c>dev tap</c>, inline PKI and tls-crypt-v2 (or tls-crypt), per-platform notes.</summary>
public static class ProfileRenderer
{
    public static string Render(ClientProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var text = new StringBuilder(4096);
        text.Append(CultureInfo.InvariantCulture, $"# L2 PPPoE appliance: profile for '{profile.ClientName}' ({(profile.Tcp ? "TCP" : "UDP")}).\n");
        foreach (var line in Notes(profile.Platform))
            text.Append("# ").Append(line).Append('\n');
        text.Append("client\n");
        text.Append("dev tap\n");
        text.Append(profile.Tcp ? "proto tcp-client\n" : "proto udp\n");
        text.Append(CultureInfo.InvariantCulture, $"remote {profile.ServerHost} {profile.ServerPort}\n");
        text.Append("nobind\n");
        text.Append("resolv-retry infinite\n");
        text.Append("persist-key\n");
        // A reconnect (kick, server restart, network change) keeps the tap and its MAC: the PPPoE session on it goes on.
        text.Append("persist-tun\n");
        text.Append("remote-cert-tls server\n");
        text.Append(CultureInfo.InvariantCulture, $"verify-x509-name {profile.ServerName} name\n");
        if (!profile.Tcp)
            text.Append("explicit-exit-notify 1\n");
        text.Append("verb 3\n");
        if (profile.Platform == ProfilePlatform.Linux)
        {
            // The 2.6 client leaves an IP-less tap DOWN; pppd needs it up. The command gets the tap name appended.
            text.Append("script-security 2\n");
            text.Append("up \"/bin/sh -c 'ip link set dev \\\"$1\\\" up' tap-up\"\n");
        }
        AppendInline(text, "ca", profile.CaPem);
        AppendInline(text, "cert", profile.CertificatePem);
        AppendInline(text, "key", profile.PrivateKeyPem);
        if (profile.ControlWrap == ProfileControlWrap.TlsCrypt)
            AppendInline(text, "tls-crypt", profile.TlsCryptKey ?? throw MissingKey(profile, "tls-crypt"));
        else
            AppendInline(text, "tls-crypt-v2", profile.TlsCryptV2Key ?? throw MissingKey(profile, "tls-crypt-v2"));
        return text.ToString();
    }

    private const string ReconnectNote =
        "A reconnect (the appliance restarting, a network change) keeps the tap adapter and its MAC address (persist-tun): the PPPoE connection on it stays up through a short outage.";

    /// <summary>What the person at the remote machine must know for this platform.</summary>
    public static IReadOnlyList<string> Notes(ProfilePlatform platform) => platform switch
    {
        ProfilePlatform.Windows =>
        [
            "Windows: use the community OpenVPN client 2.6.3-I002 or newer (OpenVPN GUI), which installs TAP-Windows6 9.25+.",
            "Older TAP-Windows6 drivers (9.24 and below) silently drop frames shorter than 34 bytes: PPPoE then brings",
            "up IPv6 but never IPv4 (the 32-byte IPCP Configure-Ack is lost). The client log shows 'TAP-Windows Driver Version'.",
            "OpenVPN Connect cannot use this profile: it does not support tap (layer 2) tunnels.",
            "Then create a PPPoE (broadband) connection on the TAP adapter with the ISP user name and password.",
            ReconnectNote,
        ],
        ProfilePlatform.Linux =>
        [
            "Linux: openvpn 2.6 (package openvpn). The profile brings the tap up itself (script-security 2, up);",
            "then dial with pppd, e.g. 'pppd plugin rp-pppoe.so nic-tap0 user ISP-USER noipdefault defaultroute +ipv6'.",
            "OpenVPN Connect cannot use this profile: it does not support tap (layer 2) tunnels.",
            ReconnectNote,
        ],
        _ =>
        [
            "macOS: use Tunnelblick with its tap kext (layer 2 needs a tap driver); OpenVPN Connect cannot use tap profiles.",
        ],
    };

    private static ArgumentException MissingKey(ClientProfile profile, string wrap) =>
        new($"{profile} uses {wrap} but carries no {wrap} key", nameof(profile));

    private static void AppendInline(StringBuilder text, string tag, string content)
    {
        text.Append('<').Append(tag).Append(">\n");
        text.Append(content.Trim()).Append('\n');
        text.Append("</").Append(tag).Append(">\n");
    }
}

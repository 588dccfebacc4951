using System.Net;
using System.Text;

namespace Appliance.Proxmox.Config;

/// <summary>A cloud-init <c>ipconfigN</c> value: <c>ip=dhcp</c> or <c>ip=192.0.2.10/24,gw=192.0.2.1</c>, optionally IPv6.</summary>
public sealed record IpConfig
{
    /// <summary>IPv4: <c>dhcp</c> or CIDR; null for none.</summary>
    public string? Ipv4 { get; init; }

    /// <summary>IPv4 gateway for a static address.</summary>
    public string? Gateway4 { get; init; }

    /// <summary>IPv6: <c>auto</c>, <c>dhcp</c> or CIDR; null for none.</summary>
    public string? Ipv6 { get; init; }

    /// <summary>IPv6 gateway for a static address.</summary>
    public string? Gateway6 { get; init; }

    /// <summary>IPv4 by DHCP.</summary>
    public static IpConfig Dhcp { get; } = new() { Ipv4 = "dhcp" };

    /// <summary>A static IPv4 address in CIDR form with an optional gateway.</summary>
    public static IpConfig Static(string cidr, string? gateway = null)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(cidr[..slash], out _) || !int.TryParse(cidr[(slash + 1)..], out var prefix) || prefix is < 0 or > 32)
            throw new ArgumentException($"cloud-init address '{cidr}' is not IPv4 CIDR (e.g. 192.0.2.10/24)", nameof(cidr));
        if (gateway is not null && !IPAddress.TryParse(gateway, out _))
            throw new ArgumentException($"cloud-init gateway '{gateway}' is not an IP address (e.g. 192.0.2.1)", nameof(gateway));
        return new IpConfig { Ipv4 = cidr, Gateway4 = gateway };
    }

    /// <summary>The property string.</summary>
    public string ToPropertyString()
    {
        var parts = new List<string>();
        if (Ipv4 is not null) parts.Add($"ip={Ipv4}");
        if (Gateway4 is not null) parts.Add($"gw={Gateway4}");
        if (Ipv6 is not null) parts.Add($"ip6={Ipv6}");
        if (Gateway6 is not null) parts.Add($"gw6={Gateway6}");
        return new StringBuilder().AppendJoin(',', parts).ToString();
    }
}

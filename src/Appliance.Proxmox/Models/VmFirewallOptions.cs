using System.Text.Json.Serialization;

namespace Appliance.Proxmox.Models;

/// <summary>
/// VM firewall options (<c>…/firewall/options</c>). With the firewall on for a NIC, <see cref="MacFilter"/>
/// (default on) drops frames whose source MAC is not the NIC's: that breaks an L2 VPN.
/// </summary>
public sealed record VmFirewallOptions
{
    /// <summary>Firewall enabled for the VM.</summary>
    [JsonPropertyName("enable")] public bool? Enable { get; init; }

    /// <summary>MAC filter (PVE default: on).</summary>
    [JsonPropertyName("macfilter")] public bool? MacFilter { get; init; }

    /// <summary>IP filter.</summary>
    [JsonPropertyName("ipfilter")] public bool? IpFilter { get; init; }

    /// <summary>DHCP allowed.</summary>
    [JsonPropertyName("dhcp")] public bool? Dhcp { get; init; }

    /// <summary>Inbound policy.</summary>
    [JsonPropertyName("policy_in")] public string? PolicyIn { get; init; }

    /// <summary>Outbound policy.</summary>
    [JsonPropertyName("policy_out")] public string? PolicyOut { get; init; }
}

using System.Text.Json.Serialization;

namespace Appliance.Proxmox.Models;

/// <summary>One interface of <c>GET /nodes/{node}/network</c>. Bridges are listed only with SDN.Audit/SDN.Use on them.</summary>
public sealed record NetworkInterface
{
    /// <summary>Interface name, e.g. <c>vmbr1</c>, <c>enp2s0</c>.</summary>
    [JsonPropertyName("iface")] public string Name { get; init; } = "";

    /// <summary><c>bridge</c>, <c>eth</c>, <c>bond</c>, <c>vlan</c>, …</summary>
    [JsonPropertyName("type")] public string Type { get; init; } = "";

    /// <summary>Up now.</summary>
    [JsonPropertyName("active")] public bool? Active { get; init; }

    /// <summary>Brought up at boot.</summary>
    [JsonPropertyName("autostart")] public bool? Autostart { get; init; }

    /// <summary>Exists in the running system (not only in the config).</summary>
    [JsonPropertyName("exists")] public bool? Exists { get; init; }

    /// <summary>Bridge ports, space-separated.</summary>
    [JsonPropertyName("bridge_ports")] public string? BridgePorts { get; init; }

    /// <summary>VLAN-aware bridge.</summary>
    [JsonPropertyName("bridge_vlan_aware")] public bool? VlanAware { get; init; }

    /// <summary>IPv4 CIDR, absent on an IP-less PPPoE bridge.</summary>
    [JsonPropertyName("cidr")] public string? Cidr { get; init; }

    /// <summary>Gateway.</summary>
    [JsonPropertyName("gateway")] public string? Gateway { get; init; }

    /// <summary>ifupdown method (static, manual, dhcp).</summary>
    [JsonPropertyName("method")] public string? Method { get; init; }

    /// <summary>MTU.</summary>
    [JsonPropertyName("mtu")] public int? Mtu { get; init; }

    /// <summary>Comment.</summary>
    [JsonPropertyName("comments")] public string? Comments { get; init; }

    /// <summary>True for a Linux bridge.</summary>
    public bool IsBridge => Type == "bridge";

    /// <summary>The bridge's ports as a list.</summary>
    public IReadOnlyList<string> Ports => BridgePorts?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
}

using System.Net;
using System.Net.Sockets;
using System.Text.Json.Serialization;

namespace Appliance.Proxmox.GuestAgent;

/// <summary>One interface of the guest agent's <c>network-get-interfaces</c> (QGA <c>guest-network-get-interfaces</c>).</summary>
public sealed record GuestNetworkInterface
{
    /// <summary>Name inside the guest, e.g. <c>eth0</c>, <c>ens18</c>; match by MAC, not by name.</summary>
    [JsonPropertyName("name")] public string Name { get; init; } = "";

    /// <summary>MAC address, lower case with colons.</summary>
    [JsonPropertyName("hardware-address")] public string? HardwareAddress { get; init; }

    /// <summary>Addresses; empty early in boot.</summary>
    [JsonPropertyName("ip-addresses")] public IReadOnlyList<GuestIpAddress> IpAddresses { get; init; } = [];

    /// <summary>True when this interface carries <paramref name="mac"/> (case and separators ignored).</summary>
    public bool HasMac(string mac)
        => HardwareAddress is not null && string.Equals(Normalize(HardwareAddress), Normalize(mac), StringComparison.Ordinal);

    /// <summary>The first global (not loopback, not link-local) IPv4 address, else the first global IPv6 address.</summary>
    public IPAddress? UsableAddress()
    {
        var usable = IpAddresses.Select(a => IPAddress.TryParse(a.Address, out var ip) ? ip : null)
            .Where(ip => ip is not null && !IPAddress.IsLoopback(ip) && !ip.IsIPv6LinkLocal && !IsIpv4LinkLocal(ip))
            .ToList();
        return usable.FirstOrDefault(ip => ip!.AddressFamily == AddressFamily.InterNetwork) ?? usable.FirstOrDefault();
    }

    private static bool IsIpv4LinkLocal(IPAddress ip)
        => ip.AddressFamily == AddressFamily.InterNetwork && ip.GetAddressBytes() is [169, 254, ..];

    private static string Normalize(string mac) => mac.Replace(":", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToUpperInvariant();
}

/// <summary>One address of a <see cref="GuestNetworkInterface"/>.</summary>
public sealed record GuestIpAddress
{
    /// <summary>The address text.</summary>
    [JsonPropertyName("ip-address")] public string Address { get; init; } = "";

    /// <summary><c>ipv4</c> or <c>ipv6</c>.</summary>
    [JsonPropertyName("ip-address-type")] public string Type { get; init; } = "";

    /// <summary>Prefix length.</summary>
    [JsonPropertyName("prefix")] public int Prefix { get; init; }
}

/// <summary>The answer of <c>agent/file-read</c>.</summary>
/// <param name="Content">The file's text (decoded by PVE).</param>
/// <param name="Truncated">True when the read stopped before the end of the file.</param>
public sealed record GuestFileContent(string Content, bool Truncated);

using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Appliance.Proxmox.Tests.FakePve;

/// <summary>
/// The named string formats of pve-common's JSONSchema.pm that the panel meets, re-stated from their definitions.
/// Formats not listed here are accepted and recorded in <see cref="Unchecked"/>, so a report can say what went unchecked.
/// </summary>
public static class PveFormats
{
    private static readonly Regex Node = new(@"^[a-zA-Z0-9](?:[a-zA-Z0-9\-]*[a-zA-Z0-9])?$");
    private static readonly Regex StorageId = new(@"^[a-z][a-z0-9\-_.]*[a-z0-9]$");
    private static readonly Regex ConfigId = new(@"^[a-z][a-z0-9_\-]+$", RegexOptions.IgnoreCase);
    private static readonly Regex PoolId = new(@"^[A-Za-z0-9\-_]+$");
    private static readonly Regex BridgeId = new(@"^[\-_.\w\d]{1,15}$");
    private static readonly Regex Iface = new(@"^[a-zA-Z][a-zA-Z0-9_.\-]{1,20}$");
    private static readonly Regex Mac = new(@"^[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}$");
    private static readonly Regex VolumeId = new(@"^[a-z][a-z0-9\-_.]*[a-z0-9]:.+$");
    private static readonly Regex UrlEncoded = new(@"^[\-%a-zA-Z0-9_.!~*'()]*$");
    private static readonly Regex Tag = new(@"^[a-z0-9_][a-z0-9_\-+.]*$", RegexOptions.IgnoreCase);
    private static readonly Regex DnsName = new(@"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9\-]*[a-zA-Z0-9])?\.)*[a-zA-Z0-9](?:[a-zA-Z0-9\-]*[a-zA-Z0-9])?$");
    private static readonly Regex BootDevice = new(@"^(?:ide|sata|scsi|virtio|net|efidisk|tpmstate|hostpci|usb|mpath)\d+$");
    private static readonly HashSet<string> StorageContent = ["images", "rootdir", "vztmpl", "iso", "backup", "snippets", "import"];

    /// <summary>Named formats met but not checked (beyond type, enum, pattern and limits).</summary>
    public static ConcurrentDictionary<string, int> Unchecked { get; } = new();

    /// <summary>Checks <paramref name="value"/> against the named <paramref name="format"/>; null when valid, else the reason.</summary>
    public static string? Check(string format, string value)
    {
        if (format.EndsWith("-list", StringComparison.Ordinal))
        {
            // pve-common split_list: a list is separated by NUL, whitespace, ',' or ';'.
            var item = format[..^"-list".Length];
            foreach (var part in Regex.Split(value, @"[\0\s,;]+").Where(p => p.Length > 0))
            {
                if (Check(item, part) is { } problem)
                    return $"list item '{part}': {problem}";
            }
            return null;
        }
        return format switch
        {
            "pve-node" => Node.IsMatch(value) ? null : "not a node name (letters, digits, '-')",
            "pve-vmid" => long.TryParse(value, out var id) && id is >= 100 and <= 999_999_999 ? null : "not a VMID (100–999999999)",
            "pve-storage-id" => StorageId.IsMatch(value) ? null : "not a storage id ([a-z][a-z0-9-_.]*)",
            "pve-configid" => ConfigId.IsMatch(value) ? null : "not a config option name",
            "pve-poolid" => PoolId.IsMatch(value) ? null : "not a pool id",
            "pve-bridge-id" => BridgeId.IsMatch(value) ? null : "not a bridge name (up to 15 of [-_.A-Za-z0-9])",
            "pve-iface" => Iface.IsMatch(value) ? null : "not an interface name",
            "mac-addr" => MacAddress(value),
            "pve-volume-id" => VolumeId.IsMatch(value) ? null : "not a volume id STORAGE:VOLUME",
            "pve-volume-id-or-qm-path" => value is "none" or "cdrom" || value.StartsWith('/') || VolumeId.IsMatch(value) ? null : "not a volume id, STORAGE:SIZE or path",
            "pve-volume-id-or-absolute-path" => value.StartsWith('/') || VolumeId.IsMatch(value) ? null : "not a volume id or absolute path",
            "urlencoded" => UrlEncoded.IsMatch(value) ? null : "not percent-encoded (only A-Z a-z 0-9 - _ . ! ~ * ' ( ) % allowed)",
            "pve-tag" => Tag.IsMatch(value) ? null : "not a tag",
            "dns-name" => DnsName.IsMatch(value) ? null : "not a DNS name",
            "pve-storage-content" => StorageContent.Contains(value) ? null : $"not a storage content type ({string.Join(", ", StorageContent)})",
            "ipv4" => IPAddress.TryParse(value, out var v4) && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? null : "not an IPv4 address",
            "ipv6" => IPAddress.TryParse(value, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? null : "not an IPv6 address",
            "ip" => IPAddress.TryParse(value, out _) ? null : "not an IP address",
            "CIDR" or "CIDRv4" or "CIDRv6" => Cidr(value),
            "pve-qm-boot" => Boot(value),
            "pve-qm-ipconfig" => IpConfig(value),
            _ => Skip(format),
        };
    }

    private static string? Skip(string format)
    {
        Unchecked.AddOrUpdate(format, 1, (_, n) => n + 1);
        return null;
    }

    private static string? MacAddress(string value)
    {
        if (!Mac.IsMatch(value))
            return "not a MAC address XX:XX:XX:XX:XX:XX";
        // pve-common pve_verify_mac_addr: the multicast bit must be clear.
        return (Convert.ToByte(value[..2], 16) & 1) == 1 ? "a multicast MAC address" : null;
    }

    private static string? Cidr(string value)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(value[..slash], out var address) || !int.TryParse(value[(slash + 1)..], out var prefix))
            return "not CIDR (address/prefix)";
        var max = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        return prefix >= 0 && prefix <= max ? null : $"prefix {prefix} outside 0–{max}";
    }

    // qemu-server: boot = [[legacy=]<[acdn]{1,4}>] [,order=<device[;device...]>]
    private static string? Boot(string value)
    {
        foreach (var part in value.Split(','))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? "legacy" : part[..equals];
            var text = equals < 0 ? part : part[(equals + 1)..];
            switch (key)
            {
                case "legacy" when Regex.IsMatch(text, "^[acdn]{1,4}$"):
                    break;
                case "order":
                    foreach (var device in text.Split(';'))
                    {
                        if (!BootDevice.IsMatch(device))
                            return $"boot device '{device}' is not a disk or NIC name";
                    }
                    break;
                default:
                    return $"'{part}' is neither order=<device;…> nor a legacy boot string";
            }
        }
        return null;
    }

    // qemu-server: ipconfig = [gw=<ipv4>] [,gw6=<ipv6>] [,ip=<CIDRv4|dhcp>] [,ip6=<CIDRv6|dhcp|auto>]
    private static string? IpConfig(string value)
    {
        foreach (var part in value.Split(','))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
                return $"'{part}' is not key=value";
            var text = part[(equals + 1)..];
            var problem = part[..equals] switch
            {
                "ip" => text == "dhcp" ? null : Cidr(text),
                "ip6" => text is "dhcp" or "auto" ? null : Cidr(text),
                "gw" => Check("ipv4", text),
                "gw6" => Check("ipv6", text),
                var other => $"unknown key '{other}'",
            };
            if (problem is not null)
                return $"'{part}': {problem}";
        }
        return null;
    }

    /// <summary>A plausible value for a synthesized answer.</summary>
    public static string Sample(JsonElement schema)
    {
        if (schema.TryGetProperty("enum", out var e) && e.ValueKind == JsonValueKind.Array && e.GetArrayLength() > 0)
            return e[0].GetString()!;
        var format = schema.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
        return format switch
        {
            "pve-node" => "pve",
            "pve-storage-id" => "local",
            "pve-volume-id" => "local:iso/sample.iso",
            _ => "sample",
        };
    }
}

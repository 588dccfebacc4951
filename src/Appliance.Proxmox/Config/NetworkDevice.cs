using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Appliance.Proxmox.Config;

/// <summary>
/// A VM NIC as the <c>netN</c> property string, e.g. <c>virtio=BC:24:11:00:00:01,bridge=vmbr1,firewall=0</c>.
/// Keep <see cref="Firewall"/> off on the PPPoE NIC: with it on, the VM-level <c>macfilter</c> drops the foreign
/// source MACs an L2 VPN forwards.
/// </summary>
public sealed partial record NetworkDevice
{
    /// <summary>NIC model; <c>virtio</c> unless the guest lacks the driver.</summary>
    public string Model { get; init; } = "virtio";

    /// <summary>Fixed MAC, <c>XX:XX:XX:XX:XX:XX</c>; null lets PVE generate one.</summary>
    public string? MacAddress { get; init; }

    /// <summary>Host bridge, e.g. <c>vmbr1</c>.</summary>
    public required string Bridge { get; init; }

    /// <summary>Whether the PVE firewall filters this NIC.</summary>
    public bool Firewall { get; init; }

    /// <summary>Guest MTU; <c>1</c> inherits the bridge MTU (virtio only); null for the default.</summary>
    public int? Mtu { get; init; }

    /// <summary>VLAN tag 1–4094 applied on the bridge port; null for untagged.</summary>
    public int? VlanTag { get; init; }

    /// <summary>Disconnects the NIC like a pulled cable.</summary>
    public bool? LinkDown { get; init; }

    [GeneratedRegex("^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")]
    private static partial Regex MacPattern();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.\\-]{0,14}$")]
    private static partial Regex BridgePattern();

    /// <summary>The property string PVE expects; throws <see cref="ArgumentException"/> naming a bad field.</summary>
    public string ToPropertyString()
    {
        if (!BridgePattern().IsMatch(Bridge))
            throw new ArgumentException($"NIC bridge '{Bridge}' is not a bridge name; pick one from the node's network list, e.g. vmbr1", nameof(Bridge));
        if (MacAddress is not null && !MacPattern().IsMatch(MacAddress))
            throw new ArgumentException($"NIC MAC address '{MacAddress}' is not XX:XX:XX:XX:XX:XX; leave it empty to let Proxmox generate one", nameof(MacAddress));
        if (VlanTag is < 1 or > 4094)
            throw new ArgumentException($"NIC VLAN tag {VlanTag} is outside 1–4094; leave it empty for untagged", nameof(VlanTag));
        if (Mtu is < 1 or > 65520)
            throw new ArgumentException($"NIC MTU {Mtu} is outside 1–65520; use 1 to inherit the bridge MTU", nameof(Mtu));

        var text = new StringBuilder(Model);
        if (MacAddress is not null)
            text.Append('=').Append(MacAddress.ToUpperInvariant());
        text.Append(",bridge=").Append(Bridge);
        text.Append(",firewall=").Append(Firewall ? '1' : '0');
        if (LinkDown is { } down)
            text.Append(",link_down=").Append(down ? '1' : '0');
        if (Mtu is { } mtu)
            text.Append(CultureInfo.InvariantCulture, $",mtu={mtu}");
        if (VlanTag is { } tag)
            text.Append(CultureInfo.InvariantCulture, $",tag={tag}");
        return text.ToString();
    }

    /// <summary>Reads a <c>netN</c> value from a VM config; null when it names no bridge.</summary>
    public static NetworkDevice? TryParse(string propertyString)
    {
        string? model = null, mac = null, bridge = null;
        bool firewall = false;
        bool? linkDown = null;
        int? mtu = null, tag = null;
        foreach (var part in propertyString.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? part : part[..equals];
            var value = equals < 0 ? "" : part[(equals + 1)..];
            switch (key)
            {
                case "bridge": bridge = value; break;
                case "firewall": firewall = value == "1"; break;
                case "link_down": linkDown = value == "1"; break;
                case "macaddr": mac = value; break;
                case "model": model = value; break;
                case "mtu": mtu = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "tag": tag = int.Parse(value, CultureInfo.InvariantCulture); break;
                default:
                    if (model is null)
                    {
                        model = key;
                        if (equals >= 0)
                            mac = value;
                    }
                    break;
            }
        }
        return bridge is null ? null : new NetworkDevice
        {
            Model = model ?? "virtio", MacAddress = mac, Bridge = bridge, Firewall = firewall, LinkDown = linkDown, Mtu = mtu, VlanTag = tag,
        };
    }
}

namespace Appliance.Tunnel.Frames;

/// <summary>What the innermost EtherType (after any VLAN tags) says the payload is.</summary>
public enum EtherTypeFamily : byte
{
    /// <summary>The frame ended before a complete EtherType (inside a VLAN tag or shorter than 14 bytes).</summary>
    Truncated = 0,
    IPv4,
    Arp,
    IPv6,
    /// <summary>0x8863, RFC 2516 discovery stage.</summary>
    PppoeDiscovery,
    /// <summary>0x8864, RFC 2516 session stage.</summary>
    PppoeSession,
    /// <summary>0x88CC, link layer discovery.</summary>
    Lldp,
    /// <summary>A length field (&lt; 0x0600): IEEE 802.3 with LLC, e.g. spanning tree.</summary>
    Ieee8023Length,
    /// <summary>Any other EtherType.</summary>
    Other,
}

/// <summary>Well-known EtherType values and their families.</summary>
public static class EtherTypes
{
    public const ushort IPv4 = 0x0800;
    public const ushort Arp = 0x0806;
    public const ushort IPv6 = 0x86DD;
    public const ushort PppoeDiscovery = 0x8863;
    public const ushort PppoeSession = 0x8864;
    public const ushort Lldp = 0x88CC;
    /// <summary>IEEE 802.1Q customer VLAN tag.</summary>
    public const ushort Vlan = 0x8100;
    /// <summary>IEEE 802.1ad service VLAN tag (QinQ outer tag).</summary>
    public const ushort ServiceVlan = 0x88A8;
    /// <summary>Pre-standard QinQ outer tag still seen on some ISP gear.</summary>
    public const ushort LegacyQinQ = 0x9100;

    /// <summary>Number of members in <see cref="EtherTypeFamily"/>.</summary>
    public const int FamilyCount = (int)EtherTypeFamily.Other + 1;

    public static bool IsVlanTag(ushort etherType) =>
        etherType is Vlan or ServiceVlan or LegacyQinQ;

    public static EtherTypeFamily FamilyOf(ushort etherType) => etherType switch
    {
        < 0x0600 => EtherTypeFamily.Ieee8023Length,
        IPv4 => EtherTypeFamily.IPv4,
        Arp => EtherTypeFamily.Arp,
        IPv6 => EtherTypeFamily.IPv6,
        PppoeDiscovery => EtherTypeFamily.PppoeDiscovery,
        PppoeSession => EtherTypeFamily.PppoeSession,
        Lldp => EtherTypeFamily.Lldp,
        _ => EtherTypeFamily.Other,
    };
}

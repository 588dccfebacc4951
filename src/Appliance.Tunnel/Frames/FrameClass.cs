using System.Runtime.InteropServices;

namespace Appliance.Tunnel.Frames;

/// <summary>What <see cref="FrameClassifier"/> read from one Ethernet frame: a small value, no reference to the bytes.</summary>
/// <remarks>Fields that a frame does not reach keep their zero value (<c>None</c>, <c>Truncated</c>, 0).</remarks>
[StructLayout(LayoutKind.Auto)]
public readonly record struct FrameClass
{
    /// <summary>Frame length in bytes, as carried (no FCS).</summary>
    public int Length { get; init; }
    public SizeClass SizeClass { get; init; }
    public FrameStatus Status { get; init; }
    public DestinationKind Destination { get; init; }
    /// <summary>True when the source MAC has the group bit set, which no station may send.</summary>
    public bool SourceIsGroup { get; init; }

    /// <summary>Number of 802.1Q / 802.1ad tags before the EtherType.</summary>
    public byte VlanCount { get; init; }
    /// <summary>VLAN id (12 bits) of the outermost tag; 0 when untagged.</summary>
    public ushort OuterVlanId { get; init; }
    /// <summary>VLAN id of the second tag (QinQ); 0 when fewer than two tags.</summary>
    public ushort InnerVlanId { get; init; }

    /// <summary>The EtherType after all tags; 0 when the frame ends first.</summary>
    public ushort EtherType { get; init; }
    public EtherTypeFamily Family { get; init; }
    /// <summary>Offset of the byte that follows the EtherType (the L3 or PPPoE header).</summary>
    public int PayloadOffset { get; init; }

    /// <summary>RFC 2516 discovery code, for EtherType 0x8863.</summary>
    public PppoeDiscoveryCode PppoeCode { get; init; }
    /// <summary>The raw PPPoE code byte (0 in the session stage).</summary>
    public byte PppoeCodeValue { get; init; }
    /// <summary>PPPoE session id: assigned in PADS, 0 in PADI/PADO/PADR.</summary>
    public ushort PppoeSessionId { get; init; }
    /// <summary>The PPPoE length field: bytes of PPPoE payload.</summary>
    public ushort PppoeLength { get; init; }

    /// <summary>PPP protocol of a session frame.</summary>
    public PppProtocol PppProtocol { get; init; }
    /// <summary>The raw 16-bit PPP protocol field.</summary>
    public ushort PppProtocolValue { get; init; }
    /// <summary>Code of an LCP / PAP / CHAP / IPCP / IPv6CP packet (meaning per protocol, see <see cref="PppControlCodes.Name"/>).</summary>
    public byte PppCode { get; init; }
    /// <summary>Identifier of a PPP control packet, which pairs a request with its reply.</summary>
    public byte PppIdentifier { get; init; }

    public bool IsPppoe => Family is EtherTypeFamily.PppoeDiscovery or EtherTypeFamily.PppoeSession;

    /// <summary>True when the frame is a PPP control packet whose code and identifier were read (code 0 is LCP Vendor-Specific, RFC 2153).</summary>
    public bool HasPppControl { get; init; }
}

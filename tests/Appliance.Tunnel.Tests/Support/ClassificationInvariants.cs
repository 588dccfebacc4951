using System.Buffers.Binary;
using Appliance.Tunnel.Frames;

namespace Appliance.Tunnel.Tests.Support;

/// <summary>What any classification must satisfy against the bytes it came from, whatever those bytes are.</summary>
/// <remarks>
/// The oracle for random and mutated input: every field the classifier reports must be readable at the offset the
/// wire format gives it, and nothing may be reported from beyond the end of the frame or of the PPPoE payload.
/// Returns a description of the first broken rule, or null.
/// </remarks>
public static class ClassificationInvariants
{
    private static readonly ushort[] VlanTpids = [0x8100, 0x88A8, 0x9100];
    private static readonly ushort[] ControlProtocols = [0xC021, 0xC023, 0xC223, 0x8021, 0x8057];

    public static string? FirstViolation(ReadOnlySpan<byte> bytes, FrameClass c)
    {
        int length = bytes.Length;
        if (c.Length != length)
            return $"Length {c.Length} but {length} bytes";
        if (c.SizeClass != ExpectedSizeClass(length))
            return $"SizeClass {c.SizeClass} for {length} bytes";
        if (c.Destination != (length < 6 ? DestinationKind.Unknown : ExpectedDestination(bytes)))
            return $"Destination {c.Destination}";
        if ((length < 14) != (c.Status == FrameStatus.Runt))
            return $"Status {c.Status} for {length} bytes";

        if (c.Family == EtherTypeFamily.Truncated)
        {
            if (c.Status is not (FrameStatus.Runt or FrameStatus.TruncatedVlanTag))
                return $"Family Truncated with status {c.Status}";
            if (c.Status == FrameStatus.TruncatedVlanTag)
            {
                int tpidOffset = 12 + 4 * c.VlanCount;
                if (length < 14 || tpidOffset + 6 <= length || Array.IndexOf(VlanTpids, ReadUInt16(bytes, tpidOffset)) < 0)
                    return $"TruncatedVlanTag with {c.VlanCount} whole tags in {length} bytes";
            }
            if (c.EtherType != 0 || c.PppoeCodeValue != 0 || c.PppoeSessionId != 0 || c.PppProtocolValue != 0 || c.PppCode != 0)
                return "fields past the EtherType reported for a frame that ends before it";
            return null;
        }

        // The tag count saturates at 255 (a jumbo frame could stack more); the offset still counts every tag.
        int payloadOffset = c.VlanCount < byte.MaxValue ? 14 + 4 * c.VlanCount : c.PayloadOffset;
        if (c.PayloadOffset != payloadOffset || (payloadOffset - 14) % 4 != 0 || payloadOffset > length)
            return $"PayloadOffset {c.PayloadOffset} with {c.VlanCount} tags in {length} bytes";
        for (int i = 0; i < (payloadOffset - 14) / 4; i++)
        {
            if (Array.IndexOf(VlanTpids, ReadUInt16(bytes, 12 + 4 * i)) < 0)
                return $"tag {i} has no VLAN TPID";
        }
        if (c.VlanCount > 0 && c.OuterVlanId != (ReadUInt16(bytes, 14) & 0x0FFF))
            return "OuterVlanId differs from the first tag";
        if (c.VlanCount > 1 && c.InnerVlanId != (ReadUInt16(bytes, 18) & 0x0FFF))
            return "InnerVlanId differs from the second tag";
        ushort etherType = ReadUInt16(bytes, payloadOffset - 2);
        if (c.EtherType != etherType || Array.IndexOf(VlanTpids, etherType) >= 0)
            return $"EtherType 0x{c.EtherType:X4} but 0x{etherType:X4} on the wire";
        if (c.Family != ExpectedFamily(etherType))
            return $"Family {c.Family} for EtherType 0x{etherType:X4}";

        bool pppoe = etherType is 0x8863 or 0x8864;
        if (!pppoe)
        {
            if (c.Status != FrameStatus.Complete || c.PppoeCodeValue != 0 || c.PppoeSessionId != 0 || c.PppoeLength != 0 || c.PppProtocolValue != 0 || c.PppCode != 0)
                return "PPPoE or PPP fields reported for a frame that is not PPPoE";
            return null;
        }

        ReadOnlySpan<byte> header = bytes[payloadOffset..];
        if (header.Length < 6)
        {
            if (c.Status != FrameStatus.TruncatedPppoeHeader || c.PppoeCodeValue != 0 || c.PppoeSessionId != 0 || c.PppoeLength != 0)
                return $"PPPoE header of {header.Length} bytes reported as {c.Status}";
            return null;
        }
        if (c.PppoeCodeValue != header[1] || c.PppoeSessionId != ReadUInt16(header, 2) || c.PppoeLength != ReadUInt16(header, 4))
            return "PPPoE code, session id or length differ from the wire";
        bool discovery = etherType == 0x8863;
        if (!discovery && c.PppoeCode != PppoeDiscoveryCode.None)
            return "a session frame reported a discovery code";

        bool headerValid = header[0] == 0x11 && (discovery || header[1] == 0);
        bool lengthFits = 6 + c.PppoeLength <= header.Length;
        if (c.PppProtocolValue != 0 || c.PppProtocol != PppProtocol.None)
        {
            if (discovery || !headerValid || !lengthFits || c.PppoeLength < 2)
                return "PPP protocol reported without a valid PPPoE session payload to hold it";
            if (c.PppProtocolValue != ReadUInt16(header, 6))
                return "PPP protocol differs from the wire";
        }
        if (c.PppCode != 0 || c.PppIdentifier != 0)
        {
            if (Array.IndexOf(ControlProtocols, c.PppProtocolValue) < 0 || c.PppoeLength < 6)
                return "PPP control code reported without a control header inside the PPPoE payload";
            if (c.PppCode != header[8] || c.PppIdentifier != header[9])
                return "PPP control code or identifier differ from the wire";
        }

        var expected = ExpectedPppoeStatus(header, discovery, headerValid, lengthFits, c.PppoeLength);
        if (c.Status != expected)
            return $"Status {c.Status}, the wire says {expected}";
        if (expected == FrameStatus.Complete && !discovery)
        {
            if (c.PppProtocol == PppProtocol.None)
                return "Complete session frame without its PPP protocol";
            if (Array.IndexOf(ControlProtocols, c.PppProtocolValue) >= 0 && (c.PppCode != header[8] || c.PppIdentifier != header[9]))
                return "Complete control packet without its code and identifier";
        }
        return null;
    }

    /// <summary>RFC 2516 §4 and RFC 1661 §5, read in order; the first thing that does not hold is the status.</summary>
    private static FrameStatus ExpectedPppoeStatus(ReadOnlySpan<byte> header, bool discovery, bool headerValid, bool lengthFits, int pppoeLength)
    {
        if (!headerValid)
            return FrameStatus.BadPppoeHeader;
        if (!lengthFits)
            return FrameStatus.PppoeLengthExceedsFrame;
        if (discovery)
            return FrameStatus.Complete;
        if (pppoeLength < 2)
            return FrameStatus.TruncatedPppProtocol;
        if (Array.IndexOf(ControlProtocols, ReadUInt16(header, 6)) < 0)
            return FrameStatus.Complete;
        if (pppoeLength < 6)
            return FrameStatus.TruncatedPppControlHeader;
        int controlLength = ReadUInt16(header, 10);
        return controlLength < 4 || controlLength > pppoeLength - 2 ? FrameStatus.PppControlLengthInconsistent : FrameStatus.Complete;
    }

    /// <summary>The size classes as the project defines them (docs/ORIGIN.md: 34 = Ethernet + IPv4 header).</summary>
    public static SizeClass ExpectedSizeClass(int length) =>
        length < 14 ? SizeClass.Runt
        : length <= 33 ? SizeClass.Bytes14To33
        : length <= 59 ? SizeClass.Bytes34To59
        : length <= 63 ? SizeClass.Bytes60To63
        : length <= 127 ? SizeClass.Bytes64To127
        : length <= 255 ? SizeClass.Bytes128To255
        : length <= 511 ? SizeClass.Bytes256To511
        : length <= 1023 ? SizeClass.Bytes512To1023
        : length <= 1514 ? SizeClass.Bytes1024To1514
        : length <= 1518 ? SizeClass.Bytes1515To1518
        : SizeClass.Bytes1519AndMore;

    /// <summary>IEEE 802.3 / IANA EtherType assignments; values below 0x0600 are 802.3 length fields.</summary>
    public static EtherTypeFamily ExpectedFamily(ushort etherType) => etherType switch
    {
        < 0x0600 => EtherTypeFamily.Ieee8023Length,
        0x0800 => EtherTypeFamily.IPv4,
        0x0806 => EtherTypeFamily.Arp,
        0x86DD => EtherTypeFamily.IPv6,
        0x8863 => EtherTypeFamily.PppoeDiscovery,
        0x8864 => EtherTypeFamily.PppoeSession,
        0x88CC => EtherTypeFamily.Lldp,
        _ => EtherTypeFamily.Other,
    };

    public static DestinationKind ExpectedDestination(ReadOnlySpan<byte> bytes)
    {
        if ((bytes[0] & 1) == 0)
            return DestinationKind.Unicast;
        return bytes[..6].IndexOfAnyExcept((byte)0xFF) < 0 ? DestinationKind.Broadcast : DestinationKind.Multicast;
    }

    private static ushort ReadUInt16(ReadOnlySpan<byte> bytes, int offset) => BinaryPrimitives.ReadUInt16BigEndian(bytes[offset..]);
}

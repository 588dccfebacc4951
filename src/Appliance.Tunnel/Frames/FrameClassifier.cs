using System.Buffers.Binary;

namespace Appliance.Tunnel.Frames;

/// <summary>Reads an Ethernet frame's headers down to PPP control codes. Pure, allocation-free, never throws on any input.</summary>
public static class FrameClassifier
{
    /// <summary>Ethernet header: destination, source, EtherType.</summary>
    public const int EthernetHeaderLength = 14;
    private const int VlanTagLength = 4;
    /// <summary>RFC 2516 §4: version/type, code, session id, length.</summary>
    public const int PppoeHeaderLength = 6;
    private const int PppProtocolLength = 2;
    /// <summary>RFC 1661 §5: code, identifier, length.</summary>
    private const int PppControlHeaderLength = 4;

    public static FrameClass Classify(ReadOnlySpan<byte> frame)
    {
        int length = frame.Length;
        var sizeClass = SizeClasses.Of(length);
        var destination = DestinationKind.Unknown;
        bool sourceIsGroup = false;
        if (length >= 6)
            destination = DestinationOf(frame);
        if (length >= 12)
            sourceIsGroup = (frame[6] & 0x01) != 0;

        if (length < EthernetHeaderLength)
        {
            return new FrameClass
            {
                Length = length,
                SizeClass = sizeClass,
                Status = FrameStatus.Runt,
                Destination = destination,
                SourceIsGroup = sourceIsGroup,
            };
        }

        int offset = 12;
        byte vlanCount = 0;
        ushort outerVlan = 0, innerVlan = 0;
        ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(offset, 2));
        while (EtherTypes.IsVlanTag(etherType))
        {
            // A tag is TPID (already read) + TCI, then the next EtherType: 4 more bytes past the TPID.
            if (length < offset + 2 + VlanTagLength)
            {
                return new FrameClass
                {
                    Length = length,
                    SizeClass = sizeClass,
                    Status = FrameStatus.TruncatedVlanTag,
                    Destination = destination,
                    SourceIsGroup = sourceIsGroup,
                    VlanCount = vlanCount,
                    OuterVlanId = outerVlan,
                    InnerVlanId = innerVlan,
                    Family = EtherTypeFamily.Truncated,
                };
            }

            ushort vid = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(offset + 2, 2)) & 0x0FFF);
            if (vlanCount == 0)
                outerVlan = vid;
            else if (vlanCount == 1)
                innerVlan = vid;
            if (vlanCount < byte.MaxValue)
                vlanCount++;
            offset += VlanTagLength;
            etherType = BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(offset, 2));
        }

        int payloadOffset = offset + 2;
        var result = new FrameClass
        {
            Length = length,
            SizeClass = sizeClass,
            Status = FrameStatus.Complete,
            Destination = destination,
            SourceIsGroup = sourceIsGroup,
            VlanCount = vlanCount,
            OuterVlanId = outerVlan,
            InnerVlanId = innerVlan,
            EtherType = etherType,
            Family = EtherTypes.FamilyOf(etherType),
            PayloadOffset = payloadOffset,
        };

        return result.Family switch
        {
            EtherTypeFamily.PppoeDiscovery or EtherTypeFamily.PppoeSession => ClassifyPppoe(frame[payloadOffset..], result),
            _ => result,
        };
    }

    private static DestinationKind DestinationOf(ReadOnlySpan<byte> frame)
    {
        if ((frame[0] & 0x01) == 0)
            return DestinationKind.Unicast;
        return frame[0] == 0xFF && frame[1] == 0xFF && frame[2] == 0xFF && frame[3] == 0xFF && frame[4] == 0xFF && frame[5] == 0xFF
            ? DestinationKind.Broadcast
            : DestinationKind.Multicast;
    }

    private static FrameClass ClassifyPppoe(ReadOnlySpan<byte> pppoe, FrameClass result)
    {
        if (pppoe.Length < PppoeHeaderLength)
            return result with { Status = FrameStatus.TruncatedPppoeHeader };

        byte versionType = pppoe[0];
        byte code = pppoe[1];
        ushort sessionId = BinaryPrimitives.ReadUInt16BigEndian(pppoe.Slice(2, 2));
        ushort pppoeLength = BinaryPrimitives.ReadUInt16BigEndian(pppoe.Slice(4, 2));
        bool discovery = result.Family == EtherTypeFamily.PppoeDiscovery;
        result = result with
        {
            PppoeCodeValue = code,
            PppoeCode = discovery ? PppoeDiscoveryCodes.FromWire(code) : PppoeDiscoveryCode.None,
            PppoeSessionId = sessionId,
            PppoeLength = pppoeLength,
        };

        // RFC 2516 §4: VER and TYPE are both 1; the session stage always has CODE 0.
        if (versionType != 0x11 || (!discovery && code != 0))
            return result with { Status = FrameStatus.BadPppoeHeader };

        // Bytes past the PPPoE length are Ethernet padding; fewer bytes than it claims is a cut frame.
        ReadOnlySpan<byte> payload = pppoe[PppoeHeaderLength..];
        if (pppoeLength > payload.Length)
            return result with { Status = FrameStatus.PppoeLengthExceedsFrame };
        if (discovery)
            return result;

        payload = payload[..pppoeLength];
        if (payload.Length < PppProtocolLength)
            return result with { Status = FrameStatus.TruncatedPppProtocol };

        ushort protocolValue = BinaryPrimitives.ReadUInt16BigEndian(payload);
        var protocol = PppProtocols.FromWire(protocolValue);
        result = result with { PppProtocol = protocol, PppProtocolValue = protocolValue };
        if (!PppProtocols.HasControlHeader(protocol))
            return result;

        // Only code, identifier and length are read: a PAP or CHAP body may hold a secret and is never looked at.
        ReadOnlySpan<byte> control = payload[PppProtocolLength..];
        if (control.Length < PppControlHeaderLength)
            return result with { Status = FrameStatus.TruncatedPppControlHeader };

        ushort controlLength = BinaryPrimitives.ReadUInt16BigEndian(control.Slice(2, 2));
        result = result with { PppCode = control[0], PppIdentifier = control[1], HasPppControl = true };
        if (controlLength < PppControlHeaderLength || controlLength > control.Length)
            return result with { Status = FrameStatus.PppControlLengthInconsistent };
        return result;
    }
}

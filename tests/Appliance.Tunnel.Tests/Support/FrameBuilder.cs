using System.Buffers.Binary;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;

namespace Appliance.Tunnel.Tests.Support;

/// <summary>Builds Ethernet frames for tests: addresses, optional VLAN tags, an EtherType and a payload or a PPPoE/PPP stack.</summary>
internal static class FrameBuilder
{
    public static readonly MacAddress Concentrator = MacAddress.Parse("02:00:00:00:00:01");
    public static readonly MacAddress ClientA = MacAddress.Parse("02:00:00:00:0a:01");
    public static readonly MacAddress ClientB = MacAddress.Parse("02:00:00:00:0b:01");

    /// <summary>
    /// A frame of any <paramref name="size"/> (even shorter than a header) from 02:00:00:00:00:<paramref name="source"/> to
    /// 00:00:00:00:00:<paramref name="destination"/>, with <paramref name="etherType"/> when the frame reaches it; zeros after.
    /// </summary>
    public static byte[] Numbered(int size, byte source, byte destination, ushort etherType)
    {
        var frame = new byte[size];
        if (size > 5)
            frame[5] = destination;
        if (size > 6)
            frame[6] = 0x02;
        if (size > 11)
            frame[11] = source;
        if (size >= 14)
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), etherType);
        return frame;
    }

    /// <summary>A frame of exactly <paramref name="length"/> bytes (at least 14 + 4 per tag) filled with a pattern after the header.</summary>
    public static byte[] Ethernet(MacAddress destination, MacAddress source, ushort etherType, int length, params ushort[] vlanIds)
    {
        int header = 14 + 4 * vlanIds.Length;
        if (length < header)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"at least {header} bytes");
        var frame = new byte[length];
        destination.Write(frame);
        source.Write(frame.AsSpan(6));
        int offset = 12;
        for (int i = 0; i < vlanIds.Length; i++)
        {
            // Outer tag of a QinQ pair is 802.1ad, the rest 802.1Q.
            ushort tpid = vlanIds.Length > 1 && i == 0 ? EtherTypes.ServiceVlan : EtherTypes.Vlan;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), tpid);
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset + 2), vlanIds[i]);
            offset += 4;
        }
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), etherType);
        for (int i = offset + 2; i < length; i++)
            frame[i] = (byte)(i * 7 + length);
        return frame;
    }

    /// <summary>A PPPoE session frame carrying a PPP control packet with <paramref name="optionBytes"/> of options, unpadded.</summary>
    public static byte[] PppControl(MacAddress destination, MacAddress source, ushort sessionId, ushort protocol, byte code, byte identifier, int optionBytes = 0)
    {
        int controlLength = 4 + optionBytes;
        int pppoeLength = 2 + controlLength;
        var frame = Ethernet(destination, source, EtherTypes.PppoeSession, 14 + 6 + pppoeLength);
        var p = frame.AsSpan(14);
        p[0] = 0x11;
        p[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(p[2..], sessionId);
        BinaryPrimitives.WriteUInt16BigEndian(p[4..], (ushort)pppoeLength);
        BinaryPrimitives.WriteUInt16BigEndian(p[6..], protocol);
        p[8] = code;
        p[9] = identifier;
        BinaryPrimitives.WriteUInt16BigEndian(p[10..], (ushort)controlLength);
        return frame;
    }

    /// <summary>The origin case's frame: the client's IPCP Configure-Ack with one 6-byte IP-Address option, 32 bytes.</summary>
    public static byte[] IpcpConfigureAck(MacAddress destination, MacAddress source, ushort sessionId = 0x0042, byte identifier = 3)
    {
        var frame = PppControl(destination, source, sessionId, PppProtocols.IpcpValue, (byte)PppControlCode.ConfigureAck, identifier, optionBytes: 6);
        frame[26] = 3; // RFC 1332 §3.3 IP-Address option
        frame[27] = 6;
        frame[28] = 203; frame[29] = 0; frame[30] = 113; frame[31] = 7;
        return frame;
    }

    /// <summary>A PPPoE discovery frame with no tags.</summary>
    public static byte[] PppoeDiscovery(MacAddress destination, MacAddress source, PppoeDiscoveryCode code, ushort sessionId = 0)
    {
        var frame = Ethernet(destination, source, EtherTypes.PppoeDiscovery, 14 + 6);
        frame[14] = 0x11;
        frame[15] = PppoeDiscoveryCodes.ToWire(code);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), sessionId);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(18), 0);
        return frame;
    }

    /// <summary>A PPPoE session frame of exactly <paramref name="length"/> bytes carrying an IPv4 datagram.</summary>
    public static byte[] PppoeIPv4(MacAddress destination, MacAddress source, int length, ushort sessionId = 0x0042)
    {
        var frame = Ethernet(destination, source, EtherTypes.PppoeSession, length);
        frame[14] = 0x11;
        frame[15] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), sessionId);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(18), (ushort)(length - 20));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(20), PppProtocols.IPv4Value);
        return frame;
    }
}

using System.Buffers.Binary;

namespace Appliance.Tunnel.Tests.Support;

/// <summary>Builds Ethernet frames byte by byte for what the real captures lack (VLAN tags, broken headers).</summary>
/// <remarks>Written without the engine's constants on purpose: the tests state the wire format themselves.</remarks>
public static class SyntheticFrame
{
    public static readonly byte[] Broadcast = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
    public static readonly byte[] Client = [0x02, 0x00, 0x5E, 0x10, 0x00, 0x02];
    public static readonly byte[] Concentrator = [0x02, 0x00, 0x5E, 0x10, 0x00, 0x01];

    /// <summary>A VLAN tag as it sits on the wire: tag protocol id, then priority/DEI/VLAN id.</summary>
    public readonly record struct Tag(ushort Tpid, ushort VlanId, byte Priority = 0);

    /// <summary>Destination, source, any tags, EtherType, payload.</summary>
    public static byte[] Ethernet(byte[] destination, ushort etherType, ReadOnlySpan<byte> payload, params Tag[] tags)
    {
        var frame = new byte[14 + 4 * tags.Length + payload.Length];
        destination.CopyTo(frame, 0);
        (destination.AsSpan().SequenceEqual(Client) ? Concentrator : Client).CopyTo(frame, 6);
        int offset = 12;
        foreach (var tag in tags)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), tag.Tpid);
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset + 2), (ushort)((tag.Priority << 13) | (tag.VlanId & 0x0FFF)));
            offset += 4;
        }
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), etherType);
        payload.CopyTo(frame.AsSpan(offset + 2));
        return frame;
    }

    /// <summary>RFC 2516 §4 header followed by a payload; the length field is the payload's unless given.</summary>
    public static byte[] Pppoe(byte code, ushort sessionId, ReadOnlySpan<byte> payload, ushort? lengthField = null, byte versionType = 0x11)
    {
        var pppoe = new byte[6 + payload.Length];
        pppoe[0] = versionType;
        pppoe[1] = code;
        BinaryPrimitives.WriteUInt16BigEndian(pppoe.AsSpan(2), sessionId);
        BinaryPrimitives.WriteUInt16BigEndian(pppoe.AsSpan(4), lengthField ?? (ushort)payload.Length);
        payload.CopyTo(pppoe.AsSpan(6));
        return pppoe;
    }

    /// <summary>A PPP frame inside PPPoE: the 2-byte protocol field and its payload.</summary>
    public static byte[] Ppp(ushort protocol, ReadOnlySpan<byte> payload)
    {
        var ppp = new byte[2 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(ppp, protocol);
        payload.CopyTo(ppp.AsSpan(2));
        return ppp;
    }

    /// <summary>RFC 1661 §5 control packet: code, identifier, length (header included unless given), data.</summary>
    public static byte[] Control(byte code, byte identifier, ReadOnlySpan<byte> data, ushort? lengthField = null)
    {
        var packet = new byte[4 + data.Length];
        packet[0] = code;
        packet[1] = identifier;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), lengthField ?? (ushort)packet.Length);
        data.CopyTo(packet.AsSpan(4));
        return packet;
    }

    /// <summary>The origin case's frame: a 32-byte IPCP Configure-Ack (address option 10.67.0.1) in session 1.</summary>
    public static byte[] IpcpConfigureAck(params Tag[] tags) => Ethernet(
        Concentrator,
        0x8864,
        Pppoe(0x00, 0x0001, Ppp(0x8021, Control(2, 2, [0x03, 0x06, 10, 67, 0, 1]))),
        tags);

    /// <summary>A PADI with an empty Service-Name tag, broadcast.</summary>
    public static byte[] Padi(params Tag[] tags) =>
        Ethernet(Broadcast, 0x8863, Pppoe(0x09, 0x0000, [0x01, 0x01, 0x00, 0x00]), tags);

    /// <summary>The first <paramref name="length"/> bytes, or the frame padded with zeros to that length.</summary>
    public static byte[] Resized(byte[] frame, int length)
    {
        var resized = new byte[length];
        frame.AsSpan(0, Math.Min(length, frame.Length)).CopyTo(resized);
        return resized;
    }
}

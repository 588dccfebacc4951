using System.Buffers.Binary;
using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;

namespace Appliance.Tunnel.Tests.Capture;

/// <summary>Hand-built PPPoE session frames between one client and the ISP's concentrator.</summary>
internal static class CaptureFrames
{
    public static readonly MacAddress Client = MacAddress.Parse("02:00:00:00:00:01");
    public static readonly MacAddress Concentrator = MacAddress.Parse("02:00:00:00:00:02");
    public const ushort SessionId = 0x1234;

    /// <summary>A PPPoE session frame of exactly <paramref name="length"/> bytes; the payload past the PPP header is a byte pattern.</summary>
    /// <remarks>Below 22 bytes the frame is cut inside the PPPoE/PPP headers, as the short frames of the origin case may be.</remarks>
    public static byte[] Session(MacAddress destination, MacAddress source, int length, ushort pppProtocol = PppProtocols.IPv4Value, ushort? vlan = null)
    {
        var frame = new byte[length];
        int at = Header(frame, destination, source, vlan);
        var rest = frame.AsSpan(at);
        for (int i = 0; i < rest.Length; i++)
            rest[i] = (byte)(i * 7 + length);
        if (rest.Length >= 6)
        {
            rest[0] = 0x11;
            rest[1] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(rest[2..], SessionId);
            BinaryPrimitives.WriteUInt16BigEndian(rest[4..], (ushort)(rest.Length - 6));
        }
        if (rest.Length >= 8)
            BinaryPrimitives.WriteUInt16BigEndian(rest[6..], pppProtocol);
        return frame;
    }

    /// <summary>The 32-byte IPCP Configure-Ack of the origin case: 14 + 6 + 2 + 4 + 6-byte IP-Address option.</summary>
    public static byte[] IpcpConfigureAck(MacAddress destination, MacAddress source) =>
        Control(destination, source, PppProtocols.IpcpValue, code: 2, identifier: 1, [0x03, 0x06, 100, 64, 1, 2]);

    /// <summary>An LCP Echo-Request padded with zeros to the 60-byte Ethernet minimum.</summary>
    public static byte[] LcpEchoPadded(MacAddress destination, MacAddress source)
    {
        var packet = Control(destination, source, PppProtocols.LcpValue, code: 9, identifier: 7, [0xDE, 0xAD, 0xBE, 0xEF]);
        var padded = new byte[60];
        packet.CopyTo(padded, 0);
        return padded;
    }

    /// <summary>RFC 1334 §2.2.1 Authenticate-Request: Peer-ID-Length, Peer-ID, Passwd-Length, Password.</summary>
    public static byte[] PapAuthenticateRequest(MacAddress destination, MacAddress source, string peerId, string password)
    {
        var body = new List<byte> { (byte)peerId.Length };
        body.AddRange(System.Text.Encoding.ASCII.GetBytes(peerId));
        body.Add((byte)password.Length);
        body.AddRange(System.Text.Encoding.ASCII.GetBytes(password));
        return Control(destination, source, PppProtocols.PapValue, code: 1, identifier: 3, [.. body]);
    }

    /// <summary>RFC 1994 §4.1 Response: Value-Size, Value (the hash), Name.</summary>
    public static byte[] ChapResponse(MacAddress destination, MacAddress source, byte[] value, string name)
    {
        var body = new List<byte> { (byte)value.Length };
        body.AddRange(value);
        body.AddRange(System.Text.Encoding.ASCII.GetBytes(name));
        return Control(destination, source, PppProtocols.ChapValue, code: 2, identifier: 4, [.. body]);
    }

    public static byte[] Control(MacAddress destination, MacAddress source, ushort protocol, byte code, byte identifier, byte[] data, ushort? vlan = null)
    {
        int headerLength = 14 + (vlan is null ? 0 : 4);
        var frame = new byte[headerLength + 6 + 2 + 4 + data.Length];
        int at = Header(frame, destination, source, vlan);
        var pppoe = frame.AsSpan(at);
        pppoe[0] = 0x11;
        BinaryPrimitives.WriteUInt16BigEndian(pppoe[2..], SessionId);
        BinaryPrimitives.WriteUInt16BigEndian(pppoe[4..], (ushort)(2 + 4 + data.Length));
        BinaryPrimitives.WriteUInt16BigEndian(pppoe[6..], protocol);
        pppoe[8] = code;
        pppoe[9] = identifier;
        BinaryPrimitives.WriteUInt16BigEndian(pppoe[10..], (ushort)(4 + data.Length));
        data.CopyTo(pppoe[12..]);
        return frame;
    }

    private static int Header(Span<byte> frame, MacAddress destination, MacAddress source, ushort? vlan)
    {
        destination.Write(frame);
        source.Write(frame[6..]);
        int at = 12;
        if (vlan is { } id && frame.Length >= 16)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame[12..], EtherTypes.Vlan);
            BinaryPrimitives.WriteUInt16BigEndian(frame[14..], id);
            at = 16;
        }
        if (frame.Length >= at + 2)
            BinaryPrimitives.WriteUInt16BigEndian(frame[at..], EtherTypes.PppoeSession);
        return at + 2;
    }
}

/// <summary>A port's far end that takes every frame and keeps a copy.</summary>
internal sealed class RecordingSink : IFrameSink
{
    private readonly List<byte[]> _frames = [];

    public IReadOnlyList<byte[]> Frames
    {
        get
        {
            lock (_frames)
                return [.. _frames];
        }
    }

    public bool TrySend(ReadOnlySpan<byte> frame, out DropReason reason)
    {
        lock (_frames)
            _frames.Add(frame.ToArray());
        reason = default;
        return true;
    }
}

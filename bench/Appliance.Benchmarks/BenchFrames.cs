using System.Buffers.Binary;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;

namespace Appliance.Benchmarks;

/// <summary>The frames the benchmarks push: PPPoE session frames between a client and the ISP's concentrator.</summary>
internal static class BenchFrames
{
    public static readonly MacAddress Client = MacAddress.Parse("02:00:00:00:00:01");
    public static readonly MacAddress Concentrator = MacAddress.Parse("02:00:00:00:00:02");

    /// <summary>60 bytes: an IPCP Configure-Request (IP-Address option) padded to the Ethernet minimum.</summary>
    public static byte[] Ipcp60(MacAddress destination, MacAddress source)
    {
        var frame = new byte[60];
        int ppp = Header(frame, destination, source, pppLength: 2 + 4 + 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(ppp), PppProtocols.IpcpValue);
        frame[ppp + 2] = 1;
        frame[ppp + 3] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(ppp + 4), 4 + 6);
        frame[ppp + 6] = 3;
        frame[ppp + 7] = 6;
        return frame;
    }

    /// <summary>1514 bytes: a full-size IPv4 datagram (1492-byte PPP MTU) in a PPPoE session.</summary>
    public static byte[] IPv4Of1514(MacAddress destination, MacAddress source)
    {
        var frame = new byte[1514];
        int ppp = Header(frame, destination, source, pppLength: 1494);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(ppp), PppProtocols.IPv4Value);
        frame[ppp + 2] = 0x45;
        return frame;
    }

    public static byte[] OfLength(int length, MacAddress destination, MacAddress source) => length switch
    {
        60 => Ipcp60(destination, source),
        1514 => IPv4Of1514(destination, source),
        _ => throw new ArgumentOutOfRangeException(nameof(length), length, "benchmarks use 60 or 1514"),
    };

    private static int Header(byte[] frame, MacAddress destination, MacAddress source, int pppLength)
    {
        destination.Write(frame);
        source.Write(frame.AsSpan(6));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), EtherTypes.PppoeSession);
        frame[14] = 0x11;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), 0x1234);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(18), (ushort)pppLength);
        return 20;
    }
}

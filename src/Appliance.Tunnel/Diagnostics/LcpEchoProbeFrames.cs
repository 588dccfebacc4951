using System.Buffers.Binary;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;

namespace Appliance.Tunnel.Diagnostics;

/// <summary>The size probe's LCP Echo-Requests and the recognition of their replies. Pure, allocation-free, never throws.</summary>
/// <remarks>
/// Layout (untagged): Ethernet 14, PPPoE 6 (ver/type 0x11, code 0, session id, length), PPP protocol 0xC021, LCP code 9, identifier,
/// length, the ISP's magic number, then data: "APRB" and the frame's size when there is room, else nothing; 30 bytes at least.
/// RFC 1661 §5.8: the peer answers with an Echo-Reply of the same identifier and data, its own magic number in front.
/// </remarks>
internal static class LcpEchoProbeFrames
{
    public const int Smallest = FrameSizeFaults.SmallestEchoFrame;
    private const int LcpOffset = 22;
    private const int DataOffset = 30;
    private static ReadOnlySpan<byte> Marker => "APRB"u8;

    public static void WriteRequest(Span<byte> frame, FrameSizeProbeTarget target, byte identifier)
    {
        int size = frame.Length;
        target.Client.Write(frame);
        target.AccessConcentrator.Write(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], EtherTypes.PppoeSession);
        frame[14] = 0x11;
        frame[15] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(frame[16..], target.SessionId);
        BinaryPrimitives.WriteUInt16BigEndian(frame[18..], (ushort)(size - 20));
        BinaryPrimitives.WriteUInt16BigEndian(frame[20..], PppProtocols.LcpValue);
        frame[LcpOffset] = (byte)PppControlCode.EchoRequest;
        frame[LcpOffset + 1] = identifier;
        BinaryPrimitives.WriteUInt16BigEndian(frame[(LcpOffset + 2)..], (ushort)(size - LcpOffset));
        BinaryPrimitives.WriteUInt32BigEndian(frame[26..], target.IspMagicNumber);
        var data = frame[DataOffset..];
        data.Fill(0x5a);
        if (data.Length >= Marker.Length + 2)
        {
            Marker.CopyTo(data);
            BinaryPrimitives.WriteUInt16BigEndian(data[Marker.Length..], (ushort)size);
        }
    }

    /// <summary>True when the frame is the client's Echo-Reply in this session; gives its identifier and the size of the request it mirrors.</summary>
    public static bool TryReadReply(ReadOnlySpan<byte> frame, in FrameClass info, FrameSizeProbeTarget target, out byte identifier, out int requestSize)
    {
        identifier = 0;
        requestSize = 0;
        if (info.Family != EtherTypeFamily.PppoeSession || !info.HasPppControl || info.PppProtocol != PppProtocol.Lcp ||
            info.PppCode != (byte)PppControlCode.EchoReply || info.VlanCount != 0 || info.PppoeSessionId != target.SessionId ||
            frame.Length < DataOffset || MacAddress.Read(frame[6..]) != target.Client)
        {
            return false;
        }
        int lcpLength = BinaryPrimitives.ReadUInt16BigEndian(frame[(LcpOffset + 2)..]);
        requestSize = LcpOffset + lcpLength;
        identifier = info.PppIdentifier;
        var data = frame[DataOffset..Math.Min(frame.Length, requestSize)];
        // Where there was room for the marker, the mirrored data must carry it and the size.
        if (requestSize - DataOffset >= Marker.Length + 2)
        {
            return data.Length >= Marker.Length + 2 && data.StartsWith(Marker) &&
                BinaryPrimitives.ReadUInt16BigEndian(data[Marker.Length..]) == requestSize;
        }
        return true;
    }
}

using System.Buffers.Binary;

namespace Appliance.Agent.Tests.Support;

/// <summary>PPPoE discovery frames of an exact size, as a client's pppd would send them.</summary>
public static class PppoeFrames
{
    public static readonly byte[] ClientMac = [0x02, 0x00, 0x5e, 0xa1, 0xb2, 0xc3];

    /// <summary>A PADI (RFC 2516 §5.1) of <paramref name="length"/> bytes (at least 28): an empty Service-Name tag, then a Host-Uniq tag filling the rest.</summary>
    public static byte[] Padi(int length)
    {
        if (length < 28)
            throw new ArgumentOutOfRangeException(nameof(length), "a PADI with both tags needs 28 bytes");
        var frame = new byte[length];
        frame.AsSpan(0, 6).Fill(0xFF);
        ClientMac.CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x8863);
        frame[14] = 0x11; // version 1, type 1
        frame[15] = 0x09; // PADI
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(18), (ushort)(length - 20));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(20), 0x0101); // Service-Name, empty
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(24), 0x0103); // Host-Uniq
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(26), (ushort)(length - 28));
        for (int i = 28; i < length; i++)
            frame[i] = (byte)i;
        return frame;
    }
}

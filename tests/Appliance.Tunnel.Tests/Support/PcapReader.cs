using System.Buffers.Binary;

namespace Appliance.Tunnel.Tests.Support;

/// <summary>One record of a capture file: the bytes as captured and the length the frame had on the wire.</summary>
public sealed record CapturedFrame(int Number, byte[] Data, int OriginalLength);

/// <summary>Reads classic libpcap files (not pcapng) of Ethernet captures, as tcpdump -w writes them.</summary>
/// <remarks>Hand-written because the format is a 24-byte file header and a 16-byte record header; a package would
/// bring more than it saves. Both byte orders and both the microsecond and nanosecond magics are accepted.</remarks>
public static class PcapReader
{
    private const uint MagicMicroseconds = 0xA1B2C3D4;
    private const uint MagicNanoseconds = 0xA1B23C4D;
    private const int FileHeaderLength = 24;
    private const int RecordHeaderLength = 16;
    /// <summary>LINKTYPE_ETHERNET.</summary>
    private const uint LinkTypeEthernet = 1;

    public static IReadOnlyList<CapturedFrame> ReadFile(string path) => Read(File.ReadAllBytes(path), path);

    public static IReadOnlyList<CapturedFrame> Read(ReadOnlySpan<byte> file, string name)
    {
        if (file.Length < FileHeaderLength)
            throw new InvalidDataException($"capture '{name}' is {file.Length} bytes, shorter than a pcap file header ({FileHeaderLength})");

        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(file);
        bool littleEndian;
        if (magic is MagicMicroseconds or MagicNanoseconds)
            littleEndian = true;
        else if (BinaryPrimitives.ReverseEndianness(magic) is MagicMicroseconds or MagicNanoseconds)
            littleEndian = false;
        else
            throw new InvalidDataException($"capture '{name}' has magic 0x{magic:X8}, not classic pcap; convert pcapng with 'editcap -F pcap'");

        uint linkType = ReadUInt32(file[20..], littleEndian) & 0x0FFFFFFF;
        if (linkType != LinkTypeEthernet)
            throw new InvalidDataException($"capture '{name}' has link type {linkType}; only Ethernet (1) is read");

        var frames = new List<CapturedFrame>();
        int offset = FileHeaderLength;
        while (offset < file.Length)
        {
            if (file.Length - offset < RecordHeaderLength)
                throw new InvalidDataException($"capture '{name}' ends inside the header of record {frames.Count + 1} at offset {offset}");
            int capturedLength = checked((int)ReadUInt32(file[(offset + 8)..], littleEndian));
            int originalLength = checked((int)ReadUInt32(file[(offset + 12)..], littleEndian));
            offset += RecordHeaderLength;
            if (file.Length - offset < capturedLength)
                throw new InvalidDataException($"capture '{name}' record {frames.Count + 1} claims {capturedLength} bytes, {file.Length - offset} remain");
            frames.Add(new CapturedFrame(frames.Count + 1, file.Slice(offset, capturedLength).ToArray(), originalLength));
            offset += capturedLength;
        }
        return frames;
    }

    private static uint ReadUInt32(ReadOnlySpan<byte> bytes, bool littleEndian) =>
        littleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadUInt32BigEndian(bytes);
}

using System.Buffers.Binary;
using System.Text;
using Appliance.Tunnel.Switching;

namespace Appliance.Tunnel.Capture;

/// <summary>Writes a little-endian pcapng file: one section, Ethernet interfaces with nanosecond timestamps, enhanced packet blocks.</summary>
/// <remarks>
/// Not thread-safe: owned by one writer. Packet blocks are written from a fixed scratch buffer and the caller's
/// span, so writing a packet allocates nothing. Every block is padded to 32 bits and carries its total length at
/// both ends (pcapng §3.1), which is what lets a reader walk the file backwards.
/// </remarks>
public sealed class PcapNgWriter
{
    // pcapng §4: block types.
    private const uint SectionHeaderBlockType = 0x0A0D0D0A;
    private const uint InterfaceDescriptionBlockType = 0x00000001;
    private const uint EnhancedPacketBlockType = 0x00000006;
    private const uint ByteOrderMagic = 0x1A2B3C4D;

    // pcapng §3.5 (general), §4.1 (SHB), §4.2 (IDB), §4.3 (EPB): option codes.
    private const ushort EndOfOptions = 0;
    private const ushort Comment = 1;
    private const ushort ShbUserApplication = 4;
    private const ushort IfName = 2;
    private const ushort IfTimestampResolution = 9;
    private const ushort EpbFlags = 2;
    private const ushort EpbDropCount = 4;

    /// <summary>LINKTYPE_ETHERNET: frames start with the destination MAC, no FCS.</summary>
    public const ushort LinkTypeEthernet = 1;

    /// <summary>Longest packet comment <see cref="WriteEnhancedPacket"/> takes.</summary>
    public const int MaxCommentLength = 64;

    /// <summary>if_tsresol = 9: timestamps count nanoseconds since 1970-01-01 UTC.</summary>
    private const byte NanosecondResolution = 9;

    // Block type, total length, interface id, timestamp high and low, captured and original length.
    private const int EnhancedPacketFixedLength = 28;
    private const int OptionHeaderLength = 4;
    private const int TrailerLength = 4;

    private readonly Stream _output;
    // Fits the fixed header, or padding + every option + trailer with the longest comment.
    private readonly byte[] _scratch = new byte[128];
    private int _interfaces;

    public PcapNgWriter(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite)
            throw new ArgumentException("the capture output stream is not writable", nameof(output));
        _output = output;
    }

    /// <summary>Bytes written so far, counting every block in full.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Starts a section (pcapng §4.1) of unknown length, naming the program that wrote it.</summary>
    public void WriteSectionHeader(string application)
    {
        ArgumentException.ThrowIfNullOrEmpty(application);
        byte[] app = Encoding.UTF8.GetBytes(application);
        // Byte-order magic, version 1.0, section length -1 (not known while writing).
        int body = 4 + 2 + 2 + 8 + OptionLength(app.Length) + OptionHeaderLength;
        var block = new byte[8 + body + TrailerLength];
        var span = block.AsSpan();
        int at = WriteBlockHeader(span, SectionHeaderBlockType, block.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], ByteOrderMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[(at + 4)..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(span[(at + 6)..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(span[(at + 8)..], -1);
        at += 16;
        at = WriteOption(span, at, ShbUserApplication, app);
        at = WriteOption(span, at, EndOfOptions, []);
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], block.Length);
        Emit(block);
        _interfaces = 0;
    }

    /// <summary>Declares an Ethernet interface (pcapng §4.2) with nanosecond timestamps; returns its id for packet blocks.</summary>
    public int WriteInterfaceDescription(string name, int snapLength)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(snapLength);
        byte[] ifName = Encoding.UTF8.GetBytes(name);
        int body = 2 + 2 + 4 + OptionLength(ifName.Length) + OptionLength(1) + OptionHeaderLength;
        var block = new byte[8 + body + TrailerLength];
        var span = block.AsSpan();
        int at = WriteBlockHeader(span, InterfaceDescriptionBlockType, block.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[at..], LinkTypeEthernet);
        BinaryPrimitives.WriteUInt16LittleEndian(span[(at + 2)..], 0);
        BinaryPrimitives.WriteInt32LittleEndian(span[(at + 4)..], snapLength);
        at += 8;
        at = WriteOption(span, at, IfName, ifName);
        at = WriteOption(span, at, IfTimestampResolution, [NanosecondResolution]);
        at = WriteOption(span, at, EndOfOptions, []);
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], block.Length);
        Emit(block);
        return _interfaces++;
    }

    /// <summary>Size on disk of one enhanced packet block as <see cref="WriteEnhancedPacket"/> writes it.</summary>
    public static int EnhancedPacketLength(int capturedLength, long dropCount, int commentLength) =>
        EnhancedPacketFixedLength + Pad4(capturedLength)
        + OptionLength(4)
        + (dropCount > 0 ? OptionLength(8) : 0)
        + (commentLength > 0 ? OptionLength(commentLength) : 0)
        + OptionHeaderLength + TrailerLength;

    /// <summary>Writes one frame (pcapng §4.3). Allocation-free.</summary>
    /// <param name="interfaceId">An id returned by <see cref="WriteInterfaceDescription"/>.</param>
    /// <param name="unixNanoseconds">Capture time in nanoseconds since 1970-01-01 UTC.</param>
    /// <param name="data">The captured bytes (at most the interface's snap length).</param>
    /// <param name="originalLength">The frame's length on the wire, at least <paramref name="data"/>'s length.</param>
    /// <param name="direction">Written as the direction bits of <c>epb_flags</c>.</param>
    /// <param name="dropCount">Frames lost between the previous packet and this one; written as <c>epb_dropcount</c> when positive.</param>
    /// <param name="commentUtf8">An <c>opt_comment</c> (at most <see cref="MaxCommentLength"/> bytes), or empty for none.</param>
    public void WriteEnhancedPacket(int interfaceId, long unixNanoseconds, ReadOnlySpan<byte> data, int originalLength,
        FrameDirection direction, long dropCount = 0, ReadOnlySpan<byte> commentUtf8 = default)
    {
        if ((uint)interfaceId >= (uint)_interfaces)
            throw new ArgumentOutOfRangeException(nameof(interfaceId), interfaceId, "no interface block with this id in the section");
        ArgumentOutOfRangeException.ThrowIfLessThan(originalLength, data.Length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(commentUtf8.Length, MaxCommentLength, nameof(commentUtf8));

        int total = EnhancedPacketLength(data.Length, dropCount, commentUtf8.Length);
        var span = _scratch.AsSpan();
        int at = WriteBlockHeader(span, EnhancedPacketBlockType, total);
        ulong stamp = (ulong)unixNanoseconds;
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], interfaceId);
        // The 64-bit timestamp is stored high word first, each word in the section's byte order.
        BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 4)..], (uint)(stamp >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 8)..], (uint)stamp);
        BinaryPrimitives.WriteInt32LittleEndian(span[(at + 12)..], data.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[(at + 16)..], originalLength);
        Emit(span[..EnhancedPacketFixedLength]);
        Emit(data);

        int padding = Pad4(data.Length) - data.Length;
        span[..padding].Clear();
        at = padding;
        Span<byte> flags = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(flags, DirectionBits(direction));
        at = WriteOption(span, at, EpbFlags, flags);
        if (dropCount > 0)
        {
            Span<byte> drops = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(drops, dropCount);
            at = WriteOption(span, at, EpbDropCount, drops);
        }
        if (!commentUtf8.IsEmpty)
            at = WriteOption(span, at, Comment, commentUtf8);
        at = WriteOption(span, at, EndOfOptions, []);
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], total);
        Emit(span[..(at + TrailerLength)]);
    }

    public void Flush() => _output.Flush();

    // pcapng §4.3.1: bits 0-1 of epb_flags, 01 inbound, 10 outbound, 00 unknown.
    private static uint DirectionBits(FrameDirection direction) => direction switch
    {
        FrameDirection.Inbound => 0b01,
        FrameDirection.Outbound => 0b10,
        _ => 0b00,
    };

    private static int Pad4(int length) => (length + 3) & ~3;

    private static int OptionLength(int valueLength) => OptionHeaderLength + Pad4(valueLength);

    private static int WriteBlockHeader(Span<byte> span, uint type, int totalLength)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(span, type);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], totalLength);
        return 8;
    }

    private static int WriteOption(Span<byte> span, int at, ushort code, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(span[at..], code);
        BinaryPrimitives.WriteUInt16LittleEndian(span[(at + 2)..], (ushort)value.Length);
        at += OptionHeaderLength;
        value.CopyTo(span[at..]);
        int padded = Pad4(value.Length);
        span.Slice(at + value.Length, padded - value.Length).Clear();
        return at + padded;
    }

    private void Emit(ReadOnlySpan<byte> bytes)
    {
        _output.Write(bytes);
        BytesWritten += bytes.Length;
    }
}

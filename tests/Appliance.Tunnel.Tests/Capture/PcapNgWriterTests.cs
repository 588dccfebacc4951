using System.Buffers.Binary;
using Appliance.Tunnel.Capture;
using Appliance.Tunnel.Switching;

namespace Appliance.Tunnel.Tests.Capture;

public sealed class PcapNgWriterTests
{
    private static List<(uint Type, byte[] Block)> Blocks(byte[] file)
    {
        var blocks = new List<(uint, byte[])>();
        for (int at = 0; at < file.Length;)
        {
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at));
            int length = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(at + 4));
            Assert.Equal(0, length % 4);
            Assert.Equal(length, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(at + length - 4)));
            blocks.Add((type, file[at..(at + length)]));
            at += length;
        }
        return blocks;
    }

    [Fact]
    public void Every_block_is_padded_to_32_bits_and_carries_its_length_at_both_ends()
    {
        var stream = new MemoryStream();
        var writer = new PcapNgWriter(stream);
        writer.WriteSectionHeader("test");
        int id = writer.WriteInterfaceDescription("client-1", 2048);
        foreach (int length in new[] { 14, 15, 16, 17, 32, 60, 1514, 1518 })
            writer.WriteEnhancedPacket(id, 1, new byte[length], length, FrameDirection.Inbound);
        writer.WriteEnhancedPacket(id, 1, new byte[33], 33, FrameDirection.Outbound, dropCount: 5, commentUtf8: "hi"u8);

        var file = stream.ToArray();
        Assert.Equal(file.Length, writer.BytesWritten);
        var blocks = Blocks(file);
        Assert.Equal([0x0A0D0D0Au, 1u, 6u, 6u, 6u, 6u, 6u, 6u, 6u, 6u, 6u], blocks.Select(b => b.Type));
        Assert.Equal(0x1A2B3C4Du, BinaryPrimitives.ReadUInt32LittleEndian(blocks[0].Block.AsSpan(8)));
        Assert.Equal(PcapNgWriter.EnhancedPacketLength(33, 5, 2), blocks[^1].Block.Length);
        Assert.Equal(PcapNgWriter.EnhancedPacketLength(14, 0, 0), blocks[2].Block.Length);
    }

    [Fact]
    public void The_timestamp_is_written_high_word_first()
    {
        var stream = new MemoryStream();
        var writer = new PcapNgWriter(stream);
        writer.WriteSectionHeader("test");
        int id = writer.WriteInterfaceDescription("x", 64);
        long before = writer.BytesWritten;
        writer.WriteEnhancedPacket(id, 0x0102030405060708, new byte[14], 14, FrameDirection.Inbound);

        var block = stream.ToArray().AsSpan((int)before);
        Assert.Equal(0x01020304u, BinaryPrimitives.ReadUInt32LittleEndian(block[12..]));
        Assert.Equal(0x05060708u, BinaryPrimitives.ReadUInt32LittleEndian(block[16..]));
    }

    [Fact]
    public void A_packet_for_an_undeclared_interface_is_a_bug_and_throws()
    {
        var writer = new PcapNgWriter(new MemoryStream());
        writer.WriteSectionHeader("test");
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteEnhancedPacket(0, 0, new byte[14], 14, FrameDirection.Inbound));
    }
}

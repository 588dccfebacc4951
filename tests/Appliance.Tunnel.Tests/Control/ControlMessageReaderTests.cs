using System.Buffers.Binary;
using System.Text;
using Appliance.Tunnel.Control.Tls;

namespace Appliance.Tunnel.Tests.ControlChannel;

public class ControlMessageReaderTests
{
    /// <summary>A client key-method-2 message shaped like §4.1 (random bytes are a counter so offsets are visible).</summary>
    internal static byte[] ClientKeyMethod2(string options, string user, string password, string peerInfo)
    {
        var bytes = new List<byte> { 0, 0, 0, 0, 0x02 };
        for (int i = 0; i < 48 + 32 + 32; i++)
            bytes.Add((byte)i);
        foreach (var s in new[] { options, user, password, peerInfo })
        {
            byte[] text = Encoding.ASCII.GetBytes(s);
            int length = s.Length == 0 ? 0 : text.Length + 1;
            bytes.Add((byte)(length >> 8));
            bytes.Add((byte)length);
            if (length > 0)
            {
                bytes.AddRange(text);
                bytes.Add(0);
            }
        }
        return [.. bytes];
    }

    private static readonly byte[] KeyMessage = ClientKeyMethod2(
        "V4,dev-type tap,link-mtu 1573,tun-mtu 1500,proto UDPv4,auth SHA1,keysize 128,key-method 2,tls-client",
        "", "", "IV_VER=2.6.14\nIV_PLAT=linux\nIV_PROTO=990\n");

    [Fact]
    public void Key_method_2_message_is_framed_by_its_length_fields()
    {
        var reader = new ControlMessageReader();
        reader.Append(KeyMessage);
        Assert.Equal(ControlParseStatus.Complete, reader.TryTakeKeyMethod2(out var message));
        Assert.Equal(KeyMessage, message.ToArray());
        Assert.Equal(0, reader.Buffered);
    }

    [Fact]
    public void Key_method_2_split_at_every_byte_needs_more_until_its_last_byte()
    {
        for (int cut = 0; cut < KeyMessage.Length; cut++)
        {
            var reader = new ControlMessageReader();
            reader.Append(KeyMessage.AsSpan(0, cut));
            Assert.Equal(ControlParseStatus.NeedMore, reader.TryTakeKeyMethod2(out _));
            reader.Append(KeyMessage.AsSpan(cut));
            Assert.Equal(ControlParseStatus.Complete, reader.TryTakeKeyMethod2(out var message));
            Assert.Equal(KeyMessage.Length, message.Length);
        }
    }

    [Fact]
    public void Command_in_the_same_read_as_the_key_message_is_kept_for_the_next_take()
    {
        var reader = new ControlMessageReader();
        reader.Append([.. KeyMessage, .. "PUSH_REQUEST\0"u8]);
        Assert.Equal(ControlParseStatus.Complete, reader.TryTakeKeyMethod2(out _));
        Assert.Equal(ControlParseStatus.Complete, reader.TryTakeText(out var text));
        Assert.Equal("PUSH_REQUEST", text);
    }

    public static TheoryData<string> Sessions => new(Appliance.Tunnel.Tests.Protocol.OpenVpnVectors.Sessions);

    /// <summary>The plaintext records a real 2.6.14 client sent (tests/lab vectors), framed whole, then the commands after them.</summary>
    [Theory]
    [MemberData(nameof(Sessions))]
    public void Real_client_plaintext_is_framed_into_the_key_message_and_its_commands(string name)
    {
        var fromClient = Appliance.Tunnel.Tests.Protocol.OpenVpnVectors.Plaintext(name).Where(p => p.FromClient).Select(p => p.Bytes).ToList();
        var reader = new ControlMessageReader();
        foreach (byte[] record in fromClient)
            Assert.True(reader.Append(record));
        Assert.Equal(ControlParseStatus.Complete, reader.TryTakeKeyMethod2(out var key));
        Assert.Equal(fromClient[0], key.ToArray());
        Assert.Equal(Appliance.Tunnel.Control.KeyMethod2ParseResult.Ok, Appliance.Tunnel.Control.KeyMethod2.TryParseClientMessage(key.Span, out var parsed));
        parsed!.Dispose();
        for (int i = 1; i < fromClient.Count; i++)
        {
            Assert.Equal(ControlParseStatus.Complete, reader.TryTakeText(out var command));
            Assert.Equal(System.Text.Encoding.UTF8.GetString(fromClient[i]).TrimEnd('\0'), command);
        }
        Assert.Equal(0, reader.Buffered);
    }

    [Fact]
    public void Key_method_other_than_2_is_malformed()
    {
        var reader = new ControlMessageReader();
        byte[] bad = (byte[])KeyMessage.Clone();
        bad[4] = 0x01;
        reader.Append(bad);
        Assert.Equal(ControlParseStatus.Malformed, reader.TryTakeKeyMethod2(out _));
    }

    [Fact]
    public void Non_zero_leading_word_is_malformed()
    {
        var reader = new ControlMessageReader();
        reader.Append([0, 0, 0, 1, 2]);
        Assert.Equal(ControlParseStatus.Malformed, reader.TryTakeKeyMethod2(out _));
    }

    [Fact]
    public void Key_message_announcing_more_than_the_bound_is_too_long()
    {
        var reader = new ControlMessageReader(capacity: 1024);
        byte[] message = ClientKeyMethod2("V4", "", "", "");
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(ControlMessageReader.KeyMethod2FixedLength), 60000);
        reader.Append(message);
        Assert.Equal(ControlParseStatus.TooLong, reader.TryTakeKeyMethod2(out _));
    }

    [Fact]
    public void Several_commands_in_one_record_come_out_one_by_one()
    {
        var reader = new ControlMessageReader();
        reader.Append("PUSH_REQUEST\0EXIT\0"u8);
        Assert.Equal(ControlParseStatus.Complete, reader.TryTakeText(out var first));
        Assert.Equal(ControlParseStatus.Complete, reader.TryTakeText(out var second));
        Assert.Equal(ControlParseStatus.NeedMore, reader.TryTakeText(out _));
        Assert.Equal(("PUSH_REQUEST", "EXIT"), (first, second));
    }

    [Fact]
    public void Command_split_over_reads_waits_for_its_nul()
    {
        var reader = new ControlMessageReader();
        reader.Append("PUSH_RE"u8);
        Assert.Equal(ControlParseStatus.NeedMore, reader.TryTakeText(out _));
        reader.Append("QUEST\0"u8);
        Assert.Equal(ControlParseStatus.Complete, reader.TryTakeText(out var text));
        Assert.Equal("PUSH_REQUEST", text);
    }

    [Fact]
    public void Empty_commands_are_skipped()
    {
        var reader = new ControlMessageReader();
        reader.Append("\0\0EXIT\0"u8);
        Assert.Equal(ControlParseStatus.Complete, reader.TryTakeText(out var text));
        Assert.Equal("EXIT", text);
    }

    [Fact]
    public void Command_without_nul_past_2048_bytes_is_too_long()
    {
        var reader = new ControlMessageReader();
        reader.Append(new byte[2048].AsSpan().ToArray().Select(_ => (byte)'A').ToArray());
        Assert.Equal(ControlParseStatus.TooLong, reader.TryTakeText(out _));
    }

    [Fact]
    public void Buffer_refuses_bytes_beyond_its_capacity()
    {
        var reader = new ControlMessageReader(capacity: 256);
        Assert.True(reader.Append(new byte[200]));
        Assert.False(reader.Append(new byte[100]));
    }
}

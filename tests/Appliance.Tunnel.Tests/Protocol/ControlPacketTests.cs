using Appliance.Tunnel.Control.Wire;

namespace Appliance.Tunnel.Tests.Protocol;

public class ControlPacketTests
{
    [Fact]
    public void Control_packet_with_acks_round_trips()
    {
        byte[] buffer = new byte[ControlPacket.SizeOf(Opcode.ControlV1, 3, 5)];
        Assert.True(ControlPacket.TryWrite(buffer, Opcode.ControlV1, 2, 0x0102030405060708, [7, 8, 9], 0xAABBCCDDEEFF0011, 42, [1, 2, 3, 4, 5], out int written));
        Assert.Equal(buffer.Length, written);
        Assert.Equal(0x22, buffer[0]);
        Assert.Equal(ControlParseResult.Ok, ControlPacket.TryParse(buffer, out ControlPacket packet));
        Assert.Equal(Opcode.ControlV1, packet.Opcode);
        Assert.Equal(2, packet.KeyId);
        Assert.Equal(0x0102030405060708UL, packet.SessionId);
        Assert.Equal(3, packet.AckCount);
        Assert.Equal(9u, packet.AckId(2));
        Assert.Equal(0xAABBCCDDEEFF0011UL, packet.PeerSessionId);
        Assert.Equal(42u, packet.MessageId);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, packet.Payload.ToArray());
    }

    [Fact]
    public void Ack_packet_has_no_message_id()
    {
        byte[] buffer = new byte[ControlPacket.SizeOf(Opcode.AckV1, 1, 0)];
        Assert.Equal(1 + 8 + 1 + 4 + 8, buffer.Length);
        Assert.True(ControlPacket.TryWrite(buffer, Opcode.AckV1, 0, 1, [0], 2, 99, [], out _));
        Assert.Equal(ControlParseResult.Ok, ControlPacket.TryParse(buffer, out ControlPacket packet));
        Assert.False(packet.HasMessageId);
        Assert.Equal(0x28, buffer[0]);
    }

    [Fact]
    public void Client_hard_reset_without_acks_is_14_bytes_plain()
    {
        byte[] buffer = new byte[ControlPacket.SizeOf(Opcode.ControlHardResetClientV2, 0, 0)];
        Assert.Equal(14, buffer.Length);
        Assert.True(ControlPacket.TryWrite(buffer, Opcode.ControlHardResetClientV2, 0, 5, [], 0, 0, [], out _));
        Assert.Equal(0x38, buffer[0]);
    }

    [Fact]
    public void More_than_eight_acks_are_refused()
    {
        byte[] buffer = new byte[64];
        buffer[0] = OpcodeByte.Compose(Opcode.AckV1, 0);
        buffer[9] = 9;
        Assert.Equal(ControlParseResult.TooManyAcks, ControlPacket.TryParse(buffer, out _));
    }

    [Fact]
    public void Data_opcode_is_not_a_control_packet()
    {
        byte[] buffer = new byte[32];
        buffer[0] = 0x48;
        Assert.Equal(ControlParseResult.NotControl, ControlPacket.TryParse(buffer, out _));
    }

    [Fact]
    public void Ack_packet_with_trailing_bytes_is_refused()
    {
        byte[] buffer = new byte[ControlPacket.SizeOf(Opcode.AckV1, 0, 0) + 1];
        buffer[0] = 0x28;
        Assert.Equal(ControlParseResult.UnexpectedPayload, ControlPacket.TryParse(buffer, out _));
    }

    [Theory]
    [InlineData(0x38, Opcode.ControlHardResetClientV2, 0)]
    [InlineData(0x40, Opcode.ControlHardResetServerV2, 0)]
    [InlineData(0x20, Opcode.ControlV1, 0)]
    [InlineData(0x28, Opcode.AckV1, 0)]
    [InlineData(0x4a, Opcode.DataV2, 2)]
    [InlineData(0x19, Opcode.ControlSoftResetV1, 1)]
    public void First_bytes_seen_on_the_wire_decode(byte first, Opcode opcode, int keyId)
    {
        Assert.Equal(opcode, OpcodeByte.OpcodeOf(first));
        Assert.Equal(keyId, OpcodeByte.KeyIdOf(first));
        Assert.Equal(first, OpcodeByte.Compose(opcode, keyId));
    }
}

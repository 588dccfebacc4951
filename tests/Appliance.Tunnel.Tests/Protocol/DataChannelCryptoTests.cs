using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.Counters;
using Appliance.Tunnel.DataChannel;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tunnel.Tests.Protocol;

public class DataChannelCryptoTests
{
    public static TheoryData<string> Sessions => new(OpenVpnVectors.Sessions);

    private static IEnumerable<byte[]> DataPackets(string name, bool fromClient) => OpenVpnVectors.Packets(name)
        .Where(p => p.FromClient == fromClient && OpcodeByte.OpcodeOf(p.Bytes[0]) == Opcode.DataV2)
        .Select(p => p.Bytes);

    [Theory]
    [MemberData(nameof(Sessions))]
    public void Every_data_packet_of_the_real_client_decrypts_with_the_prf_keys(string name)
    {
        OpenVpnVectors.Session session = OpenVpnVectors.Load(name);
        using KeyBlock block = session.KeyBlock();
        using var server = DataChannelCrypto.ForServer(session.Cipher, block, 0, 0);
        int frames = 0, pings = 0;
        foreach (byte[] wire in DataPackets(name, fromClient: true))
        {
            byte[] packet = (byte[])wire.Clone();
            Assert.Equal(DataDecryptResult.Ok, server.Decrypt(packet, out int offset, out int length));
            Assert.Equal(wire.Length - 24, length);
            ReadOnlySpan<byte> payload = packet.AsSpan(offset, length);
            if (PingPacket.IsPing(payload))
            {
                pings++;
            }
            else if (!Occ.TryReadOpcode(payload, out _))
            {
                Assert.True(length >= 14, "an Ethernet frame");
                frames++;
            }
        }
        Assert.True(pings > 0, "the client pinged");
        Assert.True(frames > 0, "the client's tap sent frames");
    }

    [Theory]
    [MemberData(nameof(Sessions))]
    public void Encrypting_what_the_real_server_sent_reproduces_its_packets_byte_for_byte(string name)
    {
        OpenVpnVectors.Session session = OpenVpnVectors.Load(name);
        using KeyBlock block = session.KeyBlock();
        using var client = DataChannelCrypto.ForClient(session.Cipher, block, 0, 0);
        using var server = DataChannelCrypto.ForServer(session.Cipher, block, 0, 0);
        int count = 0;
        foreach (byte[] wire in DataPackets(name, fromClient: false))
        {
            byte[] packet = (byte[])wire.Clone();
            Assert.Equal(DataDecryptResult.Ok, client.Decrypt(packet, out int offset, out int length));
            byte[] buffer = new byte[DataPacketHeader.OverheadV2 + length];
            packet.AsSpan(offset, length).CopyTo(buffer.AsSpan(DataPacketHeader.OverheadV2));
            Assert.Equal(DataEncryptResult.Ok, server.EncryptV2(buffer, length, out int packetLength));
            Assert.Equal(Convert.ToHexString(wire), Convert.ToHexString(buffer, 0, packetLength));
            count++;
        }
        Assert.True(count > 0);
    }

    [Fact]
    public void Ping_from_the_real_server_is_40_bytes_on_the_wire()
    {
        OpenVpnVectors.Session session = OpenVpnVectors.Load(OpenVpnVectors.TlsCrypt);
        using KeyBlock block = session.KeyBlock();
        using var client = DataChannelCrypto.ForClient(session.Cipher, block, 0, 0);
        bool found = false;
        foreach (byte[] wire in DataPackets(OpenVpnVectors.TlsCrypt, fromClient: false))
        {
            byte[] packet = (byte[])wire.Clone();
            client.Decrypt(packet, out int offset, out int length);
            if (PingPacket.IsPing(packet.AsSpan(offset, length)))
            {
                Assert.Equal(40, wire.Length);
                found = true;
            }
        }
        Assert.True(found);
    }

    [Theory]
    [InlineData(DataCipher.Aes256Gcm)]
    [InlineData(DataCipher.Aes128Gcm)]
    [InlineData(DataCipher.ChaCha20Poly1305)]
    public void Frame_of_14_bytes_becomes_a_38_byte_packet_and_crosses_unchanged(DataCipher cipher)
    {
        using KeyBlock block = KeyBlock.FromBytes(System.Security.Cryptography.RandomNumberGenerator.GetBytes(256));
        using var server = DataChannelCrypto.ForServer(cipher, block, 3, 0x123456);
        using var client = DataChannelCrypto.ForClient(cipher, block, 3, 0x123456);
        byte[] frame = [.. Enumerable.Range(1, 14).Select(i => (byte)i)];
        byte[] buffer = new byte[64];
        frame.CopyTo(buffer, DataPacketHeader.OverheadV2);
        Assert.Equal(DataEncryptResult.Ok, server.EncryptV2(buffer, frame.Length, out int length));
        Assert.Equal(38, length);
        Assert.Equal(0x4b, buffer[0]);
        Assert.True(DataPacketHeader.TryReadPeerId(buffer, out uint peerId));
        Assert.Equal(0x123456u, peerId);
        Assert.Equal(DataDecryptResult.Ok, client.Decrypt(buffer.AsSpan(0, length), out int offset, out int payloadLength));
        Assert.Equal(frame, buffer.AsSpan(offset, payloadLength).ToArray());
    }

    [Fact]
    public void Data_v1_packet_round_trips_with_the_packet_id_as_aad()
    {
        using KeyBlock block = KeyBlock.FromBytes(new byte[256]);
        using var server = DataChannelCrypto.ForServer(DataCipher.Aes256Gcm, block, 1, 0);
        using var client = DataChannelCrypto.ForClient(DataCipher.Aes256Gcm, block, 1, 0);
        byte[] buffer = new byte[DataPacketHeader.OverheadV1 + 20];
        Assert.Equal(DataEncryptResult.Ok, server.EncryptV1(buffer, 20, out int length));
        Assert.Equal(41, length);
        Assert.Equal(0x31, buffer[0]);
        Assert.Equal(DataDecryptResult.Ok, client.Decrypt(buffer.AsSpan(0, length), out _, out int payloadLength));
        Assert.Equal(20, payloadLength);
    }

    [Fact]
    public void Flipped_byte_is_a_bad_tag_and_a_replayed_packet_is_a_replay()
    {
        OpenVpnVectors.Session session = OpenVpnVectors.Load(OpenVpnVectors.TlsCrypt);
        using KeyBlock block = session.KeyBlock();
        using var server = DataChannelCrypto.ForServer(session.Cipher, block, 0, 0);
        byte[] wire = DataPackets(OpenVpnVectors.TlsCrypt, fromClient: true).First();
        for (int i = 0; i < wire.Length; i++)
        {
            if (i == 0)
            {
                continue; // the first byte selects the key and opcode; covered below
            }
            byte[] tampered = (byte[])wire.Clone();
            tampered[i] ^= 0x80;
            DataDecryptResult result = server.Decrypt(tampered, out _, out _);
            Assert.Equal(DataDecryptResult.BadTag, result);
            Assert.Equal(DropReason.BadAuthenticationTag, DataDecryptResults.ToDropReason(result));
        }
        Assert.Equal(DataDecryptResult.Ok, server.Decrypt((byte[])wire.Clone(), out _, out _));
        DataDecryptResult replay = server.Decrypt((byte[])wire.Clone(), out _, out _);
        Assert.Equal(DataDecryptResult.Replay, replay);
        Assert.Equal(DropReason.Replay, DataDecryptResults.ToDropReason(replay));
    }

    [Fact]
    public void Packet_for_another_key_id_is_an_unknown_key()
    {
        using KeyBlock block = KeyBlock.FromBytes(new byte[256]);
        using var server = DataChannelCrypto.ForServer(DataCipher.Aes256Gcm, block, 1, 0);
        byte[] packet = new byte[40];
        packet[0] = OpcodeByte.Compose(Opcode.DataV2, 2);
        DataDecryptResult result = server.Decrypt(packet, out _, out _);
        Assert.Equal(DataDecryptResult.WrongKeyId, result);
        Assert.Equal(DropReason.UnknownKey, DataDecryptResults.ToDropReason(result));
    }

    [Fact]
    public void Send_counter_reports_renegotiation_past_0xFF000000_and_never_wraps()
    {
        using KeyBlock block = KeyBlock.FromBytes(new byte[256]);
        using var server = DataChannelCrypto.ForServer(DataCipher.Aes256Gcm, block, 0, 0);
        byte[] buffer = new byte[DataPacketHeader.OverheadV2 + 1];
        Assert.False(server.RenegotiationDue);
        server.SetLastSentPacketIdForTest(0xFEFFFFFF);
        Assert.Equal(DataEncryptResult.Ok, server.EncryptV2(buffer, 1, out _));
        Assert.True(server.RenegotiationDue);
        server.SetLastSentPacketIdForTest(uint.MaxValue - 1);
        Assert.Equal(DataEncryptResult.Ok, server.EncryptV2(buffer, 1, out _));
        Assert.Equal(DataEncryptResult.PacketIdExhausted, server.EncryptV2(buffer, 1, out _));
        Assert.Equal(uint.MaxValue, server.LastSentPacketId);
    }

    [Fact]
    public void Old_out_of_order_packet_is_a_replay_after_15_seconds()
    {
        var time = new FakeTimeProvider();
        using KeyBlock block = KeyBlock.FromBytes(new byte[256]);
        using var client = DataChannelCrypto.ForClient(DataCipher.Aes256Gcm, block, 0, 0);
        using var server = DataChannelCrypto.ForServer(DataCipher.Aes256Gcm, block, 0, 0, time);
        byte[][] packets = new byte[2][];
        for (int i = 0; i < 2; i++)
        {
            byte[] buffer = new byte[DataPacketHeader.OverheadV2 + 14];
            client.EncryptV2(buffer, 14, out _);
            packets[i] = buffer;
        }
        Assert.Equal(DataDecryptResult.Ok, server.Decrypt(packets[1], out _, out _));
        time.Advance(TimeSpan.FromSeconds(16));
        Assert.Equal(DataDecryptResult.Replay, server.Decrypt(packets[0], out _, out _));
    }

    [Fact]
    public void Empty_payload_is_not_sent()
    {
        using KeyBlock block = KeyBlock.FromBytes(new byte[256]);
        using var server = DataChannelCrypto.ForServer(DataCipher.Aes256Gcm, block, 0, 0);
        Assert.Equal(DataEncryptResult.EmptyPayload, server.EncryptV2(new byte[64], 0, out _));
        Assert.Equal(DataEncryptResult.BufferTooSmall, server.EncryptV2(new byte[30], 10, out _));
    }

    [Fact]
    public void Occ_exit_payload_is_recognised()
    {
        Assert.True(Occ.TryReadOpcode(Occ.ExitPayload, out OccOpcode opcode));
        Assert.Equal(OccOpcode.Exit, opcode);
        Assert.Equal(17, Occ.ExitPayload.Length);
        Assert.False(Occ.TryReadOpcode(PingPacket.Payload, out _));
    }

    [Fact]
    public void Decrypt_and_encrypt_allocate_nothing()
    {
        using KeyBlock block = KeyBlock.FromBytes(new byte[256]);
        using var server = DataChannelCrypto.ForServer(DataCipher.Aes256Gcm, block, 0, 7);
        using var client = DataChannelCrypto.ForClient(DataCipher.Aes256Gcm, block, 0, 7);
        byte[] buffer = new byte[DataPacketHeader.OverheadV2 + 1514];
        client.EncryptV2(buffer, 1514, out int length);
        server.Decrypt(buffer.AsSpan(0, length), out _, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            client.EncryptV2(buffer, 1514, out length);
            server.Decrypt(buffer.AsSpan(0, length), out _, out _);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

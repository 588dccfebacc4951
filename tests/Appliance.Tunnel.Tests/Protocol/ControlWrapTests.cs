using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.Counters;

namespace Appliance.Tunnel.Tests.Protocol;

public class ControlWrapTests
{
    public static TheoryData<string> Sessions => new(OpenVpnVectors.Sessions);

    [Theory]
    [MemberData(nameof(Sessions))]
    public void Every_control_packet_from_the_real_client_unwraps_and_parses(string name)
    {
        OpenVpnVectors.Session session = OpenVpnVectors.Load(name);
        using StaticKey key = OpenVpnVectors.Key();
        using IControlPacketWrapper server = session.Wrapper(key, KeyDirection.Normal);
        int seen = 0;
        foreach ((bool fromClient, byte[] wire) in OpenVpnVectors.Packets(name))
        {
            if (!fromClient || OpcodeByte.IsData(OpcodeByte.OpcodeOf(wire[0])))
            {
                continue;
            }
            byte[] plain = new byte[wire.Length];
            Assert.Equal(UnwrapResult.Ok, server.Unwrap(wire, plain, out int length, out WrapReplayId replayId));
            Assert.NotEqual(0u, replayId.Counter);
            Assert.Equal(ControlParseResult.Ok, ControlPacket.TryParse(plain.AsSpan(0, length), out ControlPacket packet));
            Assert.Equal(session.SessionId("client_session_id"), packet.SessionId);
            if (packet.AckCount > 0)
            {
                Assert.Equal(session.SessionId("server_session_id"), packet.PeerSessionId);
            }
            seen++;
        }
        Assert.True(seen >= 4, $"only {seen} client control packets in {name}");
    }

    [Theory]
    [MemberData(nameof(Sessions))]
    public void Rewrapping_the_real_servers_packets_reproduces_them_byte_for_byte(string name)
    {
        OpenVpnVectors.Session session = OpenVpnVectors.Load(name);
        using StaticKey key = OpenVpnVectors.Key();
        using IControlPacketWrapper client = session.Wrapper(key, KeyDirection.Inverse);
        using IControlPacketWrapper server = session.Wrapper(key, KeyDirection.Normal);
        int seen = 0;
        foreach ((bool fromClient, byte[] wire) in OpenVpnVectors.Packets(name))
        {
            if (fromClient || OpcodeByte.IsData(OpcodeByte.OpcodeOf(wire[0])))
            {
                continue;
            }
            byte[] plain = new byte[wire.Length];
            Assert.Equal(UnwrapResult.Ok, client.Unwrap(wire, plain, out int length, out WrapReplayId replayId));
            byte[] again = new byte[wire.Length];
            Assert.True(server.TryWrap(plain.AsSpan(0, length), replayId, again, out int written));
            Assert.Equal(Convert.ToHexString(wire), Convert.ToHexString(again, 0, written));
            seen++;
        }
        Assert.True(seen >= 3, $"only {seen} server control packets in {name}");
    }

    [Fact]
    public void Server_reset_of_the_real_server_has_the_logged_tls_crypt_tag_and_layout()
    {
        using StaticKey key = OpenVpnVectors.Key();
        using var server = new TlsCryptWrapper(key, KeyDirection.Normal);
        using var client = new TlsCryptWrapper(key, KeyDirection.Inverse);
        var packets = OpenVpnVectors.Packets(OpenVpnVectors.TlsCrypt);
        foreach ((string sender, byte[] header, byte[] clear, byte[] tag) in OpenVpnVectors.TlsCryptWraps())
        {
            byte[] plain = [.. header.AsSpan(0, 9), .. clear];
            var replayId = WrapReplayId.Read(header.AsSpan(9));
            byte[] wire = new byte[plain.Length + TlsCryptWrapper.WrapOverhead];
            TlsCryptWrapper wrapper = sender == "server" ? server : client;
            Assert.True(wrapper.TryWrap(plain, replayId, wire, out _));
            Assert.Equal(Convert.ToHexString(header), Convert.ToHexString(wire, 0, 17));
            Assert.Equal(Convert.ToHexString(tag), Convert.ToHexString(wire, 17, 32));
            // The same bytes travelled on the wire.
            Assert.Contains(packets, p => p.Bytes.AsSpan().SequenceEqual(wire));
        }
    }

    [Fact]
    public void Server_hard_reset_is_66_bytes_and_acks_the_client_reset()
    {
        var packets = OpenVpnVectors.Packets(OpenVpnVectors.TlsCrypt);
        byte[] reset = packets.First(p => !p.FromClient).Bytes;
        Assert.Equal(66, reset.Length);
        using StaticKey key = OpenVpnVectors.Key();
        using var client = new TlsCryptWrapper(key, KeyDirection.Inverse);
        byte[] plain = new byte[reset.Length];
        Assert.Equal(UnwrapResult.Ok, client.Unwrap(reset, plain, out int length, out _));
        Assert.Equal(ControlParseResult.Ok, ControlPacket.TryParse(plain.AsSpan(0, length), out ControlPacket packet));
        Assert.Equal(Opcode.ControlHardResetServerV2, packet.Opcode);
        Assert.Equal(1, packet.AckCount);
        Assert.Equal(0u, packet.AckId(0));
        Assert.Equal(0u, packet.MessageId);
        Assert.True(packet.Payload.IsEmpty);
    }

    [Theory]
    [MemberData(nameof(Sessions))]
    public void Wrong_key_is_bad_control_authentication(string name)
    {
        OpenVpnVectors.Session session = OpenVpnVectors.Load(name);
        using StaticKey other = StaticKey.Generate();
        using IControlPacketWrapper server = session.Wrapper(other, KeyDirection.Normal);
        byte[] wire = OpenVpnVectors.Packets(name)[0].Bytes;
        byte[] plain = new byte[wire.Length];
        UnwrapResult result = server.Unwrap(wire, plain, out _, out _);
        Assert.Equal(UnwrapResult.BadAuthentication, result);
        Assert.Equal(DropReason.BadControlAuthentication, UnwrapResults.ToDropReason(result));
    }

    [Theory]
    [MemberData(nameof(Sessions))]
    public void Any_flipped_byte_fails_authentication(string name)
    {
        OpenVpnVectors.Session session = OpenVpnVectors.Load(name);
        using StaticKey key = OpenVpnVectors.Key();
        using IControlPacketWrapper server = session.Wrapper(key, KeyDirection.Normal);
        byte[] wire = OpenVpnVectors.Packets(name).First(p => p.FromClient && p.Bytes[0] >> 3 == (int)Opcode.ControlV1).Bytes;
        byte[] plain = new byte[wire.Length];
        for (int i = 0; i < wire.Length; i++)
        {
            byte[] tampered = (byte[])wire.Clone();
            tampered[i] ^= 0x01;
            Assert.Equal(UnwrapResult.BadAuthentication, server.Unwrap(tampered, plain, out _, out _));
        }
    }

    [Fact]
    public void Server_cannot_unwrap_its_own_packets_because_directions_use_different_keys()
    {
        using StaticKey key = StaticKey.Generate();
        using var server = new TlsCryptWrapper(key, KeyDirection.Normal);
        byte[] plain = new byte[ControlPacket.SizeOf(Opcode.ControlV1, 0, 3)];
        Assert.True(ControlPacket.TryWrite(plain, Opcode.ControlV1, 0, 42, [], 0, 7, [1, 2, 3], out _));
        byte[] wire = new byte[plain.Length + server.Overhead];
        Assert.True(server.TryWrap(plain, new WrapReplayId(1, 2), wire, out _));
        Assert.Equal(UnwrapResult.BadAuthentication, server.Unwrap(wire, new byte[wire.Length], out _, out _));
    }

    [Theory]
    [InlineData(TlsAuthDigest.Sha1)]
    [InlineData(TlsAuthDigest.Sha256)]
    public void Tls_auth_round_trips_between_server_and_client_directions(TlsAuthDigest digest)
    {
        using StaticKey key = StaticKey.Generate();
        using var server = new TlsAuthWrapper(key, KeyDirection.Normal, digest);
        using var client = new TlsAuthWrapper(key, KeyDirection.Inverse, digest);
        byte[] plain = new byte[ControlPacket.SizeOf(Opcode.AckV1, 2, 0)];
        Assert.True(ControlPacket.TryWrite(plain, Opcode.AckV1, 1, 0x1122334455667788, [4, 5], 0x99, 0, [], out _));
        byte[] wire = new byte[plain.Length + server.Overhead];
        Assert.True(server.TryWrap(plain, new WrapReplayId(3, 4), wire, out int written));
        Assert.Equal(plain.Length + (int)digest + 8, written);
        byte[] back = new byte[wire.Length];
        Assert.Equal(UnwrapResult.Ok, client.Unwrap(wire, back, out int length, out WrapReplayId id));
        Assert.Equal(new WrapReplayId(3, 4), id);
        Assert.Equal(plain, back.AsSpan(0, length).ToArray());
    }
}

using Appliance.Tunnel.Control;
using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.DataChannel;
using CsCheck;

namespace Appliance.Tunnel.Tests.Protocol;

/// <summary>No parser may throw on bytes from the wire: every prefix of real packets, and random bytes.</summary>
public class TruncationPropertyTests
{
    public static TheoryData<string> Sessions => new(OpenVpnVectors.Sessions);

    [Theory]
    [MemberData(nameof(Sessions))]
    public void Every_truncation_of_every_real_packet_is_refused_without_throwing(string name)
    {
        OpenVpnVectors.Session session = OpenVpnVectors.Load(name);
        using StaticKey key = OpenVpnVectors.Key();
        using IControlPacketWrapper wrapper = session.Wrapper(key, KeyDirection.Normal);
        using KeyBlock block = session.KeyBlock();
        using var data = DataChannelCrypto.ForServer(session.Cipher, block, 0, 0);
        byte[] plain = new byte[2048];
        foreach ((bool fromClient, byte[] wire) in OpenVpnVectors.Packets(name).Where(p => p.FromClient).Take(12))
        {
            for (int length = 0; length < wire.Length; length++)
            {
                byte[] prefix = wire[..length];
                Assert.NotEqual(UnwrapResult.Ok, wrapper.Unwrap(prefix, plain, out _, out _));
                Assert.NotEqual(DataDecryptResult.Ok, data.Decrypt(prefix, out _, out _));
                ControlPacket.TryParse(prefix, out _);
            }
        }
        foreach ((bool _, byte[] record) in OpenVpnVectors.Plaintext(name))
        {
            for (int length = 0; length < record.Length; length++)
            {
                KeyMethod2.TryParseClientMessage(record.AsSpan(0, length), out KeyMethod2ClientMessage? message);
                message?.Dispose();
                KeyMethod2.TryParseServerMessage(record.AsSpan(0, length), out _);
            }
        }
    }

    [Fact]
    // One thread: the wrappers and the data key are single-owner objects by design.
    public void Random_bytes_never_make_a_parser_throw()
    {
        using StaticKey key = StaticKey.Generate();
        using var tlsCrypt = new TlsCryptWrapper(key);
        using var tlsAuth = new TlsAuthWrapper(key);
        using KeyBlock block = KeyBlock.FromBytes(new byte[256]);
        using var data = DataChannelCrypto.ForServer(DataCipher.ChaCha20Poly1305, block, 0, 0);
        byte[] plain = new byte[2048];
        Gen.Byte.Array[0, 1600].Sample(bytes =>
        {
            tlsCrypt.Unwrap(bytes, plain, out _, out _);
            tlsAuth.Unwrap(bytes, plain, out _, out _);
            ControlPacket.TryParse(bytes, out _);
            data.Decrypt((byte[])bytes.Clone(), out _, out _);
            KeyMethod2.TryParseClientMessage(bytes, out KeyMethod2ClientMessage? message);
            message?.Dispose();
            ReadOnlySpan<byte> record = bytes;
            while (ControlMessage.TryReadNext(ref record, out ReadOnlySpan<byte> command))
            {
                ControlMessage.Classify(command);
            }
        }, iter: 2000, threads: 1);
    }

    [Fact]
    public void Random_control_packets_with_a_key_method_prefix_parse_or_fail_cleanly()
    {
        Gen.Byte.Array[0, 400].Sample(tail =>
        {
            byte[] data = [0, 0, 0, 0, 2, .. tail];
            KeyMethod2.TryParseClientMessage(data, out KeyMethod2ClientMessage? message);
            message?.Dispose();
        }, iter: 2000, threads: 1);
    }
}

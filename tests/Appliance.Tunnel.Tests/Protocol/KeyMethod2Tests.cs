using System.Text;
using Appliance.Tunnel.Control;

namespace Appliance.Tunnel.Tests.Protocol;

public class KeyMethod2Tests
{
    public static TheoryData<string> Sessions => new(OpenVpnVectors.Sessions);

    [Theory]
    [MemberData(nameof(Sessions))]
    public void Real_client_message_parses_to_the_randoms_openvpn_logged(string name)
    {
        OpenVpnVectors.Session session = OpenVpnVectors.Load(name);
        byte[] record = OpenVpnVectors.Plaintext(name).First(p => p.FromClient).Bytes;
        Assert.Equal(KeyMethod2ParseResult.Ok, KeyMethod2.TryParseClientMessage(record, out KeyMethod2ClientMessage? message));
        using (message)
        {
            Assert.Equal(session["client_pre_master"], Convert.ToHexStringLower(message!.PreMaster));
            Assert.Equal(session["client_random1"], Convert.ToHexStringLower(message.Random1));
            Assert.Equal(session["client_random2"], Convert.ToHexStringLower(message.Random2));
            Assert.StartsWith("V4,dev-type tap,", message.Options, StringComparison.Ordinal);
            Assert.EndsWith(",tls-client", message.Options, StringComparison.Ordinal);
            Assert.False(message.HasCredentials);
            Assert.Equal("2.6.14", message.PeerInfo.Version);
            Assert.Equal("linux", message.PeerInfo.Platform);
            Assert.Equal(1600, message.PeerInfo.Mtu);
            Assert.Equal(["AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305"], message.PeerInfo.Ciphers);
            // The harvest cleared bits 3 and 9 (tls-ekm, dyn-tls-crypt) to force the PRF: 990 became 470.
            Assert.Equal((Control.IvProtoFlags)470, message.PeerInfo.Protocol);
            Assert.True(message.PeerInfo.Protocol.HasFlag(Control.IvProtoFlags.CcExitNotify));
        }
    }

    [Theory]
    [MemberData(nameof(Sessions))]
    public void Writing_the_real_servers_reply_reproduces_it_byte_for_byte(string name)
    {
        OpenVpnVectors.Session session = OpenVpnVectors.Load(name);
        byte[] record = OpenVpnVectors.Plaintext(name).First(p => !p.FromClient).Bytes;
        Assert.Equal(KeyMethod2ParseResult.Ok, KeyMethod2.TryParseServerMessage(record, out KeyMethod2ServerMessage? reply));
        Assert.Equal(session["server_random1"], Convert.ToHexStringLower(reply!.Random1));
        Assert.Equal(session["server_random2"], Convert.ToHexStringLower(reply.Random2));
        byte[] written = new byte[KeyMethod2.ServerMessageSize(reply.Options)];
        Assert.True(KeyMethod2.TryWriteServerMessage(written, reply.Random1, reply.Random2, reply.Options, out int length));
        Assert.Equal(Convert.ToHexString(record), Convert.ToHexString(written, 0, length));
    }

    [Fact]
    public void Udp_tls_crypt_server_reply_uses_the_recommended_options_string()
    {
        byte[] record = OpenVpnVectors.Plaintext(OpenVpnVectors.TlsCrypt).First(p => !p.FromClient).Bytes;
        KeyMethod2.TryParseServerMessage(record, out KeyMethod2ServerMessage? reply);
        Assert.Equal(KeyMethod2.ServerOptionsUdp, reply!.Options);
        Assert.Equal(178, record.Length);
    }

    [Fact]
    public void Client_message_with_credentials_round_trips_and_keeps_them_out_of_ToString()
    {
        byte[] preMaster = Enumerable.Repeat((byte)0x11, 48).ToArray();
        byte[] random = Enumerable.Repeat((byte)0x22, 32).ToArray();
        const string Options = "V4,dev-type tap,link-mtu 1573,tun-mtu 1500,proto UDPv4,auth SHA1,keysize 128,key-method 2,tls-client";
        int size = KeyMethod2.ClientMessageSize(Options, "alice", "hunter2-secret", "IV_VER=2.6.14\nIV_PROTO=990\n");
        byte[] buffer = new byte[size + 3];
        Assert.True(KeyMethod2.TryWriteClientMessage(buffer, preMaster, random, random, Options, "alice", "hunter2-secret", "IV_VER=2.6.14\nIV_PROTO=990\n", out int written));
        Assert.Equal(size, written);
        // Trailing bytes after the message are ignored, as 2.6 does.
        Assert.Equal(KeyMethod2ParseResult.Ok, KeyMethod2.TryParseClientMessage(buffer, out KeyMethod2ClientMessage? message));
        using (message)
        {
            Assert.Equal("alice", message!.UsernameText());
            Assert.Equal("hunter2-secret", Encoding.UTF8.GetString(message.Password));
            Assert.Equal((Control.IvProtoFlags)990, message.PeerInfo.Protocol);
            string text = message.ToString();
            Assert.DoesNotContain("alice", text, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
            Assert.DoesNotContain("1111", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Empty_strings_are_written_as_two_zero_bytes()
    {
        byte[] random = new byte[32];
        byte[] buffer = new byte[KeyMethod2.ServerMessageSize("x")];
        Assert.True(KeyMethod2.TryWriteServerMessage(buffer, random, random, "x", out int written));
        Assert.Equal(4 + 1 + 64 + 2 + 2 + 6, written);
        Assert.Equal(new byte[6], buffer[^6..]);
    }

    [Fact]
    public void Dispose_zeroes_the_secrets()
    {
        byte[] buffer = new byte[KeyMethod2.ClientMessageSize("o", "u", "p", "")];
        KeyMethod2.TryWriteClientMessage(buffer, Enumerable.Repeat((byte)7, 48).ToArray(), new byte[32], new byte[32], "o", "u", "p", "", out _);
        KeyMethod2.TryParseClientMessage(buffer, out KeyMethod2ClientMessage? message);
        message!.Dispose();
        Assert.All(message.PreMaster.ToArray(), b => Assert.Equal(0, b));
        Assert.All(message.Password.ToArray(), b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData("0000000102", KeyMethod2ParseResult.NonZeroPrefix)]
    [InlineData("0000000001", KeyMethod2ParseResult.UnsupportedKeyMethod)]
    [InlineData("00000000", KeyMethod2ParseResult.Truncated)]
    public void Malformed_message_is_refused_with_a_reason(string hex, KeyMethod2ParseResult expected)
    {
        byte[] data = [.. Convert.FromHexString(hex), .. new byte[200]];
        if (hex.Length < 10)
        {
            data = Convert.FromHexString(hex);
        }
        Assert.Equal(expected, KeyMethod2.TryParseClientMessage(data, out _));
    }

    [Fact]
    public void Options_string_longer_than_512_bytes_is_refused()
    {
        byte[] data = new byte[5 + 112 + 2 + 600];
        data[4] = 2;
        data[117] = 0x02;
        data[118] = 0x58; // 600
        Assert.Equal(KeyMethod2ParseResult.InvalidOptionsString, KeyMethod2.TryParseClientMessage(data, out _));
    }
}

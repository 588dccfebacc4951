using System.Text;
using Appliance.Tunnel.Control;
using Appliance.Tunnel.DataChannel;

namespace Appliance.Tunnel.Tests.Protocol;

public class PushReplyTests
{
    private static readonly PeerInfo Client26 = PeerInfo.Parse(
        "IV_VER=2.6.14\nIV_PLAT=win\nIV_TCPNL=1\nIV_MTU=1600\nIV_NCP=2\nIV_CIPHERS=AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305\nIV_PROTO=990\nIV_GUI_VER=OpenVPN_GUI_11.51.0.0\n");

    [Fact]
    public void Minimal_l2_push_for_a_26_client_carries_cc_exit()
    {
        CipherNegotiation chosen = PushReply.NegotiateCipher([DataCipher.Aes256Gcm, DataCipher.ChaCha20Poly1305], Client26);
        Assert.True(chosen.Succeeded);
        Assert.Equal("PUSH_REPLY,ping 10,ping-restart 60,peer-id 5,cipher AES-256-GCM,protocol-flags cc-exit",
            PushReply.Build(5, chosen.Cipher, Client26));
    }

    [Fact]
    public void Client_without_cc_exit_gets_the_bare_push()
    {
        PeerInfo client = PeerInfo.Parse("IV_PROTO=6\nIV_CIPHERS=AES-128-GCM\n");
        CipherNegotiation chosen = PushReply.NegotiateCipher([DataCipher.Aes256Gcm, DataCipher.Aes128Gcm], client);
        Assert.Equal("PUSH_REPLY,ping 10,ping-restart 60,peer-id 0,cipher AES-128-GCM", PushReply.Build(0, chosen.Cipher, client));
    }

    [Fact]
    public void No_shared_cipher_is_a_result_not_an_exception()
    {
        PeerInfo client = PeerInfo.Parse("IV_CIPHERS=BF-CBC\n");
        Assert.False(PushReply.NegotiateCipher([DataCipher.Aes256Gcm], client).Succeeded);
        Assert.StartsWith("AUTH_FAILED,", ControlMessage.NoSharedCipher, StringComparison.Ordinal);
    }

    [Fact]
    public void Old_client_with_only_iv_ncp_2_can_use_aes_gcm()
    {
        PeerInfo client = PeerInfo.Parse("IV_NCP=2\n");
        Assert.Equal(DataCipher.Aes256Gcm, PushReply.NegotiateCipher([DataCipher.ChaCha20Poly1305, DataCipher.Aes256Gcm], client).Cipher);
    }

    [Fact]
    public void Real_servers_push_reply_and_the_clients_exit_are_recognised()
    {
        var records = OpenVpnVectors.Plaintext(OpenVpnVectors.TlsCrypt);
        ReadOnlySpan<byte> push = records.Where(r => !r.FromClient).Skip(1).First().Bytes;
        Assert.True(ControlMessage.TryReadNext(ref push, out ReadOnlySpan<byte> command));
        Assert.Equal(ControlCommand.PushReply, ControlMessage.Classify(command));
        Assert.Equal(OpenVpnVectors.Load(OpenVpnVectors.TlsCrypt)["push_reply"], Encoding.ASCII.GetString(command));
        Assert.Equal(ControlCommand.Exit, ControlMessage.Classify(records.Last(r => r.FromClient).Bytes.AsSpan(0, 4)));
        Assert.Equal(ControlMessage.Encode(ControlMessage.Exit), records.Last(r => r.FromClient).Bytes);
    }

    [Fact]
    public void Several_nul_separated_commands_in_one_record_are_split()
    {
        ReadOnlySpan<byte> record = "PUSH_REQUEST\0\0EXIT\0INFO,hello"u8;
        var seen = new List<ControlCommand>();
        while (ControlMessage.TryReadNext(ref record, out ReadOnlySpan<byte> command))
        {
            seen.Add(ControlMessage.Classify(command));
        }
        Assert.Equal([ControlCommand.PushRequest, ControlCommand.Exit, ControlCommand.Info], seen);
    }

    [Theory]
    [InlineData("RESTART,[N]", ControlCommand.Restart)]
    [InlineData("HALT,bye", ControlCommand.Halt)]
    [InlineData("AUTH_FAILED", ControlCommand.AuthFailed)]
    [InlineData("EXITNOW", ControlCommand.Unknown)]
    [InlineData("INFO_PRE,x", ControlCommand.InfoPre)]
    public void Commands_are_recognised_by_whole_keyword(string text, ControlCommand expected) =>
        Assert.Equal(expected, ControlMessage.Classify(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Peer_info_of_a_windows_gui_client_is_read()
    {
        Assert.Equal("win", Client26.Platform);
        Assert.Equal("OpenVPN_GUI_11.51.0.0", Client26.GuiVersion);
        Assert.True(Client26.TcpNonLinear);
        Assert.Equal(2, Client26.Ncp);
        Assert.True(Client26.Protocol.HasFlag(IvProtoFlags.TlsKeyExport));
        Assert.True(Client26.Protocol.HasFlag(IvProtoFlags.DataV2));
        Assert.False(Client26.Protocol.HasFlag(IvProtoFlags.NcpP2p));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage without equals")]
    [InlineData("IV_PROTO=-5\nIV_MTU=abc\n=x\n")]
    public void Odd_peer_info_parses_without_throwing(string text)
    {
        PeerInfo info = PeerInfo.Parse(text);
        Assert.Equal(IvProtoFlags.None, info.Protocol);
        Assert.Null(info.Mtu);
    }
}

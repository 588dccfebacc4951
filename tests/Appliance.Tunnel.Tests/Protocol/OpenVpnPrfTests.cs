using System.Text;
using Appliance.Tunnel.DataChannel;

namespace Appliance.Tunnel.Tests.Protocol;

public class OpenVpnPrfTests
{
    public static TheoryData<string> Sessions => new(OpenVpnVectors.Sessions);

    [Fact]
    public void Tls10_prf_matches_the_published_ietf_test_vector()
    {
        // IETF TLS WG mail archive msg01589: secret 48 × 0xab, label "PRF Testvector", seed 64 × 0xcd, 104 bytes.
        byte[] secret = Enumerable.Repeat((byte)0xab, 48).ToArray();
        byte[] seed = [.. Encoding.ASCII.GetBytes("PRF Testvector"), .. Enumerable.Repeat((byte)0xcd, 64)];
        byte[] output = new byte[104];
        OpenVpnPrf.Tls10Prf(secret, seed, output);
        Assert.Equal(
            "D3D4D1E349B5D515044666D51DE32BAB258CB521B6B053463E354832FD976754" +
            "443BCF9A296519BC289ABCBC1187E4EBD31E602353776C408AAFB74CBC85EFF6" +
            "9255F9788FAA184CBB957A9819D84A5D7EB006EB459D3AE8DE9810454B8B2D8F" +
            "1AFBC655A8C9A013",
            Convert.ToHexString(output));
    }

    [Fact]
    public void Tls10_prf_with_odd_secret_length_uses_overlapping_halves()
    {
        // "secret"/"label"/"seed", 20 bytes: the worked example of a TLS textbook.
        byte[] output = new byte[20];
        OpenVpnPrf.Tls10Prf("secret"u8, "labelseed"u8, output);
        Assert.Equal("B5BAF4722B91851A8816D22EBD8C1D8CC2E94D55", Convert.ToHexString(output));
    }

    [Theory]
    [MemberData(nameof(Sessions))]
    public void Key_block_from_real_key_method_2_randoms_matches_the_keys_openvpn_logged(string name)
    {
        OpenVpnVectors.Session session = OpenVpnVectors.Load(name);
        using KeyBlock block = session.KeyBlock();
        DataCipher cipher = session.Cipher;
        Assert.Equal(session["client_to_server_cipher_key"], Convert.ToHexStringLower(block.ClientToServerKey(cipher)));
        Assert.Equal(session["server_to_client_cipher_key"], Convert.ToHexStringLower(block.ServerToClientKey(cipher)));
        Assert.Equal(session["client_to_server_implicit_iv"], Convert.ToHexStringLower(block.ClientToServerImplicitIv));
        Assert.Equal(session["server_to_client_implicit_iv"], Convert.ToHexStringLower(block.ServerToClientImplicitIv));
    }

    [Fact]
    public void Swapping_the_session_ids_changes_the_keys()
    {
        OpenVpnVectors.Session session = OpenVpnVectors.Load(OpenVpnVectors.TlsCrypt);
        using KeyBlock swapped = KeyBlock.FromPrf(session.Bytes("client_pre_master"), session.Bytes("client_random1"),
            session.Bytes("server_random1"), session.Bytes("client_random2"), session.Bytes("server_random2"),
            session.SessionId("server_session_id"), session.SessionId("client_session_id"));
        Assert.NotEqual(session["client_to_server_cipher_key"], Convert.ToHexStringLower(swapped.ClientToServerKey(DataCipher.Aes256Gcm)));
    }

    [Fact]
    public void Key_block_text_shows_no_key_material()
    {
        using KeyBlock block = OpenVpnVectors.Load(OpenVpnVectors.TlsCrypt).KeyBlock();
        Assert.DoesNotContain(Convert.ToHexStringLower(block.Bytes[..4]), block.ToString(), StringComparison.OrdinalIgnoreCase);
    }
}

using System.Buffers.Binary;
using Appliance.Tunnel.Control.Wire;

namespace Appliance.Tunnel.Tests.Protocol;

public class TlsCryptV2KeyTests
{
    [Fact]
    public void Generated_server_key_round_trips_through_openvpns_pem_format()
    {
        using var key = TlsCryptV2ServerKey.Generate();
        string text = key.ToPemText();
        Assert.StartsWith("-----BEGIN OpenVPN tls-crypt-v2 server key-----\n", text, StringComparison.Ordinal);
        Assert.EndsWith("-----END OpenVPN tls-crypt-v2 server key-----\n", text, StringComparison.Ordinal);
        Assert.All(text.Split('\n').Skip(1).SkipLast(2), line => Assert.True(line.Length <= 64));
        Assert.Equal(TlsCryptV2KeyParseResult.Ok, TlsCryptV2ServerKey.TryParse("# comment\n" + text + "trailing text\n", out var again));
        Assert.Equal(text, again!.ToPemText());
    }

    [Fact]
    public void Server_key_made_by_openvpn_genkey_parses()
    {
        // openvpn 2.6.14 --genkey tls-crypt-v2-server (a throw-away test key).
        const string text = """
            -----BEGIN OpenVPN tls-crypt-v2 server key-----
            fQDZ4cdOusq7AyxCrrXCMnY5W6/uOU+bOEkJH+Ob0TAe0EDWpLboTfQ3FyqxLfI3
            adqYb6BekollE52YrCCa7/wgXeNRuTLt8r4PjqnVRAmvSdh06HehfIN//Z2mQj1U
            /IM1m5ii+nqiGe4WQJBEVAM58ld8W+1b5QY+/tPEX+M=
            -----END OpenVPN tls-crypt-v2 server key-----
            """;
        Assert.Equal(TlsCryptV2KeyParseResult.Ok, TlsCryptV2ServerKey.TryParse(text, out var key));
        Assert.Equal(text.Replace("\r", "", StringComparison.Ordinal) + "\n", key!.ToPemText());
    }

    [Theory]
    [InlineData("no_pem_block", "just text", TlsCryptV2KeyParseResult.MissingPemBlock)]
    [InlineData("client_key_label", "-----BEGIN OpenVPN tls-crypt-v2 client key-----\nAAAA\n-----END OpenVPN tls-crypt-v2 client key-----", TlsCryptV2KeyParseResult.MissingPemBlock)]
    [InlineData("static_key_file", "-----BEGIN OpenVPN Static key V1-----\n00\n-----END OpenVPN Static key V1-----", TlsCryptV2KeyParseResult.MissingPemBlock)]
    [InlineData("three_bytes", "-----BEGIN OpenVPN tls-crypt-v2 server key-----\nAAAA\n-----END OpenVPN tls-crypt-v2 server key-----", TlsCryptV2KeyParseResult.WrongLength)]
    public void Bad_server_key_file_is_refused_with_a_reason(string name, string text, TlsCryptV2KeyParseResult expected)
    {
        Assert.NotNull(name);
        Assert.Equal(expected, TlsCryptV2ServerKey.TryParse(text, out var key));
        Assert.Null(key);
    }

    [Fact]
    public void Keys_print_no_key_material()
    {
        using var server = TlsCryptV2ServerKey.Generate();
        using var client = TlsCryptV2ClientKey.Create(server, [0x00]);
        Assert.Equal("tls-crypt-v2 server key (128 bytes)", server.ToString());
        Assert.Equal("tls-crypt-v2 client key (291-byte wrapped key)", client.ToString());
    }

    [Fact]
    public void Client_key_is_kc_then_wkc_whose_last_two_bytes_give_its_length()
    {
        using var server = TlsCryptV2ServerKey.Generate();
        byte[] metadata = [0x00, 1, 2, 3, 4, 5];
        using var client = TlsCryptV2ClientKey.Create(server, metadata);
        Assert.Equal(256, client.ClientKey.Length);
        Assert.Equal(32 + 256 + metadata.Length + 2, client.WrappedKey.Length);
        Assert.Equal(client.WrappedKey.Length, BinaryPrimitives.ReadUInt16BigEndian(client.WrappedKey[^2..]));

        Assert.Equal(TlsCryptV2KeyParseResult.Ok, TlsCryptV2ClientKey.TryParse(client.ToPemText(), out var again));
        Assert.Equal(client.ClientKey.ToArray(), again!.ClientKey.ToArray());
        Assert.Equal(client.WrappedKey.ToArray(), again.WrappedKey.ToArray());
    }

    [Fact]
    public void Two_client_keys_from_one_server_key_differ()
    {
        using var server = TlsCryptV2ServerKey.Generate();
        using var a = TlsCryptV2ClientKey.Create(server, [0x00]);
        using var b = TlsCryptV2ClientKey.Create(server, [0x00]);
        Assert.NotEqual(a.ClientKey.ToArray(), b.ClientKey.ToArray());
        Assert.NotEqual(a.WrappedKey.ToArray(), b.WrappedKey.ToArray());
    }

    [Fact]
    public void Wkc_unwraps_to_kc_and_metadata_with_the_server_key()
    {
        using var server = TlsCryptV2ServerKey.Generate();
        byte[] metadata = TlsCryptV2Metadata.Encode([0x40, 0x01], "alice", DateTimeOffset.FromUnixTimeSeconds(2_000_000_000));
        using var client = TlsCryptV2ClientKey.Create(server, metadata);
        using var cipher = new TlsCryptV2WrappedKeyCipher(server);
        byte[] clear = new byte[1024];
        Assert.Equal(TlsCryptV2UnwrapResult.Ok, cipher.Unwrap(client.WrappedKey, clear, out int metadataLength));
        Assert.Equal(client.ClientKey.ToArray(), clear[..256]);
        Assert.Equal(metadata, clear.AsSpan(256, metadataLength).ToArray());
    }

    [Fact]
    public void Wkc_made_for_another_server_key_fails_its_tag_and_leaves_no_clear_text()
    {
        using var server = TlsCryptV2ServerKey.Generate();
        using var other = TlsCryptV2ServerKey.Generate();
        using var client = TlsCryptV2ClientKey.Create(other, [0x00, 7]);
        using var cipher = new TlsCryptV2WrappedKeyCipher(server);
        byte[] clear = new byte[1024];
        Assert.Equal(TlsCryptV2UnwrapResult.BadWrappedKeyTag, cipher.Unwrap(client.WrappedKey, clear, out _));
        Assert.All(clear, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Every_flipped_bit_of_a_wkc_is_refused()
    {
        using var server = TlsCryptV2ServerKey.Generate();
        using var client = TlsCryptV2ClientKey.Create(server, [0x00, 1, 2]);
        using var cipher = new TlsCryptV2WrappedKeyCipher(server);
        byte[] clear = new byte[1024];
        byte[] wkc = client.WrappedKey.ToArray();
        for (int bit = 0; bit < wkc.Length * 8; bit++)
        {
            wkc[bit / 8] ^= (byte)(1 << (bit % 8));
            var result = cipher.Unwrap(wkc, clear, out _);
            Assert.True(result is TlsCryptV2UnwrapResult.BadWrappedKeyTag or TlsCryptV2UnwrapResult.WrappedKeyLengthInvalid or TlsCryptV2UnwrapResult.WrappedKeyTooLong,
                $"bit {bit}: {result}");
            wkc[bit / 8] ^= (byte)(1 << (bit % 8));
        }
        Assert.Equal(TlsCryptV2UnwrapResult.Ok, cipher.Unwrap(wkc, clear, out _));
    }

    [Fact]
    public void Metadata_longer_than_a_wkc_can_hold_is_a_caller_error()
    {
        using var server = TlsCryptV2ServerKey.Generate();
        Assert.Throws<ArgumentException>(() => TlsCryptV2ClientKey.Create(server, new byte[TlsCryptV2WrappedKey.MaxMetadataLength + 1]));
        using var largest = TlsCryptV2ClientKey.Create(server, new byte[TlsCryptV2WrappedKey.MaxMetadataLength]);
        Assert.Equal(1024, largest.WrappedKey.Length);
    }

    [Theory]
    [InlineData("shorter_than_a_wkc", 100, TlsCryptV2KeyParseResult.WrongLength)]
    [InlineData("length_field_disagrees", 0, TlsCryptV2KeyParseResult.BadWrappedKey)]
    public void Bad_client_key_file_is_refused_with_a_reason(string name, int truncateTo, TlsCryptV2KeyParseResult expected)
    {
        Assert.NotNull(name);
        using var server = TlsCryptV2ServerKey.Generate();
        using var client = TlsCryptV2ClientKey.Create(server, [0x00, 1, 2]);
        byte[] bytes = [.. client.ClientKey, .. client.WrappedKey];
        if (truncateTo > 0)
            bytes = bytes[..truncateTo];
        else
            bytes[^1] ^= 1;
        string text = new string(System.Security.Cryptography.PemEncoding.Write(TlsCryptV2ClientKey.PemLabel, bytes));
        Assert.Equal(expected, TlsCryptV2ClientKey.TryParse(text, out var key));
        Assert.Null(key);
    }
}

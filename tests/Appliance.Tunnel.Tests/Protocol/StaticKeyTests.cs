using Appliance.Tunnel.Control.Wire;

namespace Appliance.Tunnel.Tests.Protocol;

public class StaticKeyTests
{
    [Fact]
    public void Key_file_from_openvpn_genkey_parses_to_256_bytes()
    {
        using StaticKey key = OpenVpnVectors.Key();
        Assert.Equal(256, key.Bytes.Length);
        Assert.Equal(key.Bytes.Slice(64, 64).ToArray(), key.HmacSlice(0).ToArray());
        Assert.Equal(key.Bytes.Slice(128, 64).ToArray(), key.CipherSlice(1).ToArray());
    }

    [Fact]
    public void Generated_key_round_trips_through_the_file_format()
    {
        using StaticKey key = StaticKey.Generate();
        string text = key.ToFileText();
        Assert.Contains(StaticKey.BeginMarker, text, StringComparison.Ordinal);
        Assert.Equal(StaticKeyParseResult.Ok, StaticKey.TryParse(text, out StaticKey? again));
        Assert.Equal(key.Bytes.ToArray(), again!.Bytes.ToArray());
    }

    [Fact]
    public void Generated_key_is_written_with_16_bytes_per_line_like_openvpn()
    {
        using StaticKey key = StaticKey.Generate();
        string[] body = key.ToFileText().Split('\n').SkipWhile(l => l != StaticKey.BeginMarker).Skip(1).TakeWhile(l => l != StaticKey.EndMarker).ToArray();
        Assert.Equal(16, body.Length);
        Assert.All(body, line => Assert.Equal(32, line.Length));
    }

    [Theory]
    [InlineData("no markers at all", StaticKeyParseResult.MissingBeginMarker)]
    [InlineData("-----BEGIN OpenVPN Static key V1-----\n00", StaticKeyParseResult.MissingEndMarker)]
    [InlineData("-----BEGIN OpenVPN Static key V1-----\nzz\n-----END OpenVPN Static key V1-----", StaticKeyParseResult.InvalidCharacter)]
    [InlineData("-----BEGIN OpenVPN Static key V1-----\n00ff\n-----END OpenVPN Static key V1-----", StaticKeyParseResult.WrongLength)]
    public void Bad_key_file_is_refused_with_a_reason(string text, StaticKeyParseResult expected)
    {
        Assert.Equal(expected, StaticKey.TryParse(text, out StaticKey? key));
        Assert.Null(key);
    }

    [Fact]
    public void Key_material_is_absent_from_ToString()
    {
        using StaticKey key = OpenVpnVectors.Key();
        Assert.DoesNotContain(Convert.ToHexStringLower(key.Bytes[..4]), key.ToString(), StringComparison.OrdinalIgnoreCase);
    }
}

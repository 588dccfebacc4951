using System.Buffers.Binary;
using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.Counters;

namespace Appliance.Tunnel.Tests.Protocol;

public class TlsCryptV2MetadataTests
{
    private static readonly DateTimeOffset NotAfter = DateTimeOffset.FromUnixTimeSeconds(1_893_456_000);

    [Fact]
    public void Metadata_round_trips_serial_name_and_not_after()
    {
        byte[] bytes = TlsCryptV2Metadata.Encode(Convert.FromHexString("4F00A1B2C3D4E5F60718293A4B5C6D7E"), "alice.example-1", NotAfter);
        Assert.Equal(TlsCryptV2MetadataParseResult.Ok, TlsCryptV2Metadata.TryParse(bytes, out var metadata));
        Assert.Equal(new TlsCryptV2Metadata(1, "4F00A1B2C3D4E5F60718293A4B5C6D7E", "alice.example-1", NotAfter), metadata);
    }

    [Fact]
    public void Layout_is_openvpn_user_type_then_our_marker_version_and_fields()
    {
        byte[] bytes = TlsCryptV2Metadata.Encode([0x40, 0x01], "bo", NotAfter);
        Assert.Equal("00" + "4150" + "01" + "0000000070DBD880" + "02" + "4001" + "02" + "626F", Convert.ToHexString(bytes));
    }

    [Fact]
    public void Metadata_of_the_longest_serial_and_name_fits_a_wkc()
    {
        byte[] bytes = TlsCryptV2Metadata.Encode(new byte[20], new string('n', 64), NotAfter);
        Assert.True(bytes.Length <= TlsCryptV2WrappedKey.MaxMetadataLength);
        Assert.Equal(TlsCryptV2MetadataParseResult.Ok, TlsCryptV2Metadata.TryParse(bytes, out _));
    }

    public static TheoryData<string, string, TlsCryptV2MetadataParseResult> Refusals => new()
    {
        { "empty", "", TlsCryptV2MetadataParseResult.Empty },
        { "openvpn_timestamp_type", "01000000006553F100", TlsCryptV2MetadataParseResult.NotUserType },
        { "user_type_without_marker", "00414243", TlsCryptV2MetadataParseResult.ForeignFormat },
        { "user_type_only", "00", TlsCryptV2MetadataParseResult.ForeignFormat },
        { "marker_without_version", "004150", TlsCryptV2MetadataParseResult.Truncated },
        { "version_2", "00415002", TlsCryptV2MetadataParseResult.UnsupportedVersion },
        { "short_not_after", "0041500100000000", TlsCryptV2MetadataParseResult.Truncated },
        { "serial_of_zero_bytes", "00415001000000007070060000", TlsCryptV2MetadataParseResult.InvalidSerialNumber },
        { "serial_of_21_bytes", "00415001000000007070060015", TlsCryptV2MetadataParseResult.InvalidSerialNumber },
        { "serial_cut_short", "004150010000000070700600024001", TlsCryptV2MetadataParseResult.Truncated },
        { "name_of_zero_bytes", "00415001000000007070060002400100", TlsCryptV2MetadataParseResult.InvalidCommonName },
        { "name_of_65_bytes", "00415001000000007070060002400141", TlsCryptV2MetadataParseResult.InvalidCommonName },
        { "name_cut_short", "0041500100000000707006000240010361", TlsCryptV2MetadataParseResult.Truncated },
        { "name_not_utf8", "0041500100000000707006000240010261FF", TlsCryptV2MetadataParseResult.InvalidCommonName },
        { "name_with_newline", "004150010000000070700600024001026109", TlsCryptV2MetadataParseResult.InvalidCommonName },
        { "trailing_byte", "00415001000000007070060002400102616200", TlsCryptV2MetadataParseResult.TrailingBytes },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Metadata_not_in_our_format_is_refused_with_a_reason(string name, string hex, TlsCryptV2MetadataParseResult expected)
    {
        Assert.NotNull(name);
        Assert.Equal(expected, TlsCryptV2Metadata.TryParse(Convert.FromHexString(hex), out var metadata));
        Assert.Equal(default, metadata);
    }

    [Fact]
    public void Extreme_not_after_values_are_clamped_not_thrown()
    {
        byte[] bytes = TlsCryptV2Metadata.Encode([1], "a", NotAfter);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(4), long.MaxValue);
        Assert.Equal(TlsCryptV2MetadataParseResult.Ok, TlsCryptV2Metadata.TryParse(bytes, out var late));
        Assert.Equal(DateTimeOffset.MaxValue, late.NotAfter);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(4), long.MinValue);
        Assert.Equal(TlsCryptV2MetadataParseResult.Ok, TlsCryptV2Metadata.TryParse(bytes, out var early));
        Assert.Equal(DateTimeOffset.MinValue, early.NotAfter);
    }

    [Fact]
    public void Random_metadata_never_throws()
    {
        var random = new Random(7);
        for (int i = 0; i < 20_000; i++)
        {
            byte[] bytes = new byte[random.Next(0, 120)];
            random.NextBytes(bytes);
            if (bytes.Length > 3 && i % 2 == 0)
            {
                bytes[0] = 0;
                bytes[1] = (byte)'A';
                bytes[2] = (byte)'P';
                bytes[3] = 1;
            }
            _ = TlsCryptV2Metadata.TryParse(bytes, out _);
        }
    }

    [Theory]
    [InlineData("empty_serial", 0, "alice")]
    [InlineData("serial_of_21_bytes", 21, "alice")]
    [InlineData("empty_name", 1, "")]
    [InlineData("name_with_newline", 1, "a\nb")]
    public void Encoding_outside_the_formats_limits_is_a_caller_error(string name, int serialLength, string commonName)
    {
        Assert.NotNull(name);
        Assert.Throws<ArgumentException>(() => TlsCryptV2Metadata.Encode(new byte[serialLength], commonName, NotAfter));
    }

    [Fact]
    public void Admit_hands_parsed_metadata_to_the_policy_and_returns_its_verdict()
    {
        using var serverKey = TlsCryptV2ServerKey.Generate();
        using var clientKey = TlsCryptV2ClientKey.Create(serverKey, TlsCryptV2Metadata.Encode([0x41, 0x02], "carol", NotAfter));
        using var client = new TlsCryptV2TestClient(clientKey);
        using var unwrapper = new TlsCryptV2ServerUnwrapper(serverKey);
        byte[] wire = client.Opening();
        Assert.Equal(TlsCryptV2UnwrapResult.Ok, unwrapper.Unwrap(wire, new byte[wire.Length], out var opening));
        TlsCryptV2Metadata seen = default;

        var verdict = opening.Admit((in TlsCryptV2Metadata m) => { seen = m; return TlsCryptV2Verdict.Revoked; }, out var metadata, out var parse);

        Assert.Equal(TlsCryptV2Verdict.Revoked, verdict);
        Assert.Equal(TlsCryptV2MetadataParseResult.Ok, parse);
        Assert.Equal("4102", seen.SerialNumber);
        Assert.Equal("carol", metadata.CommonName);
        Assert.Equal(DropReason.ClientRefused, TlsCryptV2Verdicts.ToDropReason(verdict));
    }

    [Fact]
    public void Authentic_key_with_openvpns_timestamp_metadata_is_unreadable_and_never_reaches_the_policy()
    {
        using var serverKey = TlsCryptV2ServerKey.Generate();
        using var clientKey = TlsCryptV2ClientKey.Create(serverKey, Convert.FromHexString("01000000006553F100"));
        using var client = new TlsCryptV2TestClient(clientKey);
        using var unwrapper = new TlsCryptV2ServerUnwrapper(serverKey);
        byte[] wire = client.Opening();
        Assert.Equal(TlsCryptV2UnwrapResult.Ok, unwrapper.Unwrap(wire, new byte[wire.Length], out var opening));
        int calls = 0;

        var verdict = opening.Admit((in TlsCryptV2Metadata _) => { calls++; return TlsCryptV2Verdict.Accepted; }, out _, out var parse);

        Assert.Equal(TlsCryptV2Verdict.UnreadableMetadata, verdict);
        Assert.Equal(TlsCryptV2MetadataParseResult.NotUserType, parse);
        Assert.Equal(0, calls);
    }
}

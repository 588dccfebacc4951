using Appliance.Tunnel.Control.Wire;

namespace Appliance.Tunnel.Tests.Protocol;

/// <summary>A real 2.6.14 client's opening and keys made by <c>openvpn --genkey</c> (Vectors/openvpn/tls-crypt-v2-opening.txt).</summary>
public class TlsCryptV2VectorTests
{
    private static Dictionary<string, string> Load()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Vectors", "openvpn", "tls-crypt-v2-opening.txt")))
        {
            if (line.StartsWith('#') || line.Length == 0)
                continue;
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            values[line[..space]] = line[(space + 1)..];
        }
        return values;
    }

    private static string Pem(string label, string base64) =>
        $"-----BEGIN {label}-----\n{base64}\n-----END {label}-----\n";

    [Fact]
    public void Real_clients_opening_unwraps_to_its_kc_and_our_metadata()
    {
        var vector = Load();
        Assert.Equal(TlsCryptV2KeyParseResult.Ok, TlsCryptV2ServerKey.TryParse(Pem(TlsCryptV2ServerKey.PemLabel, vector["server_key"]), out var serverKey));
        Assert.Equal(TlsCryptV2KeyParseResult.Ok, TlsCryptV2ClientKey.TryParse(Pem(TlsCryptV2ClientKey.PemLabel, vector["client_key"]), out var clientKey));
        using (serverKey)
        using (clientKey)
        using (var unwrapper = new TlsCryptV2ServerUnwrapper(serverKey!))
        {
            byte[] wire = Convert.FromHexString(vector["opening"]);
            byte[] work = new byte[wire.Length];

            Assert.Equal(TlsCryptV2UnwrapResult.Ok, unwrapper.Unwrap(wire, work, out var opening));

            Assert.Equal(clientKey!.ClientKey.ToArray(), opening.ClientKey.ToArray());
            Assert.Equal(0x0F000001u, opening.ReplayId.Counter);
            Assert.True(opening.AnnouncesEarlyNegotiation);
            Assert.Equal(ControlParseResult.Ok, ControlPacket.TryParse(opening.Plain, out var reset));
            Assert.Equal(Opcode.ControlHardResetClientV3, reset.Opcode);
            Assert.Equal(0u, reset.MessageId);
            Assert.Equal(TlsCryptV2MetadataParseResult.Ok, TlsCryptV2Metadata.TryParse(opening.Metadata, out var metadata));
            Assert.Equal(new TlsCryptV2Metadata(1, "4A0B0C", "alice", DateTimeOffset.FromUnixTimeSeconds(1_893_456_000)), metadata);
        }
    }

    [Fact]
    public void Real_clients_opening_is_refused_under_another_server_key()
    {
        var vector = Load();
        using var other = TlsCryptV2ServerKey.Generate();
        using var unwrapper = new TlsCryptV2ServerUnwrapper(other);
        byte[] wire = Convert.FromHexString(vector["opening"]);
        Assert.Equal(TlsCryptV2UnwrapResult.BadWrappedKeyTag, unwrapper.Unwrap(wire, new byte[wire.Length], out _));
    }
}

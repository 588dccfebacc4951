using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.DataChannel;

namespace Appliance.Tunnel.Tests.Protocol;

/// <summary>Reads the vectors harvested from a real OpenVPN 2.6 pair (Vectors/openvpn/README.md).</summary>
internal static class OpenVpnVectors
{
    public const string TlsCrypt = "aes-256-gcm-tls-crypt";
    public const string TlsAuth = "aes-128-gcm-tls-auth";
    public const string TlsAuthSha256 = "chacha20-poly1305-tls-auth-sha256";
    public static readonly string[] Sessions = [TlsCrypt, TlsAuth, TlsAuthSha256];

    private static string Directory => Path.Combine(AppContext.BaseDirectory, "Vectors", "openvpn");

    public static StaticKey Key()
    {
        Assert.Equal(StaticKeyParseResult.Ok, StaticKey.TryParse(File.ReadAllText(Path.Combine(Directory, "static.key")), out StaticKey? key));
        return key!;
    }

    public static Session Load(string name) => new(name, Lines($"session-{name}.txt")
        .Select(line => line.Split(": ", 2))
        .ToDictionary(parts => parts[0], parts => parts[1]));

    /// <summary>(client-to-server?, bytes) for every UDP payload of the session, in capture order.</summary>
    public static IReadOnlyList<(bool FromClient, byte[] Bytes)> Packets(string name) => Lines($"packets-{name}.txt")
        .Select(line => line.Split(' '))
        .Select(parts => (parts[0] == "c2s", Convert.FromHexString(parts[1])))
        .ToList();

    /// <summary>TLS plaintext records as the client wrote (c2s) and read (s2c) them.</summary>
    public static IReadOnlyList<(bool FromClient, byte[] Bytes)> Plaintext(string name) => Lines($"plaintext-{name}.txt")
        .Select(line => line.Split(' '))
        .Select(parts => (parts[0] == "c2s", Convert.FromHexString(parts[1])))
        .ToList();

    /// <summary>tls-crypt wraps logged by the real peers: sender, header (AD), clear reliable part, tag.</summary>
    public static IReadOnlyList<(string Sender, byte[] Header, byte[] Clear, byte[] Tag)> TlsCryptWraps() => Lines($"tls-crypt-wraps-{TlsCrypt}.txt")
        .Select(line => line.Split(' '))
        .Select(parts => (parts[0], Convert.FromHexString(parts[1]), Convert.FromHexString(parts[2]), Convert.FromHexString(parts[3])))
        .ToList();

    private static IEnumerable<string> Lines(string file) => File.ReadAllLines(Path.Combine(Directory, file))
        .Where(line => line.Length > 0 && !line.StartsWith('#'));

    internal sealed class Session(string name, IReadOnlyDictionary<string, string> fields)
    {
        public string Name { get; } = name;
        public string this[string field] => fields[field];
        public byte[] Bytes(string field) => Convert.FromHexString(fields[field]);
        public ulong SessionId(string field) => System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(Bytes(field));

        public DataCipher Cipher => DataCiphers.TryParse(fields["cipher"], out DataCipher cipher) ? cipher : throw new InvalidDataException(fields["cipher"]);

        public IControlPacketWrapper Wrapper(StaticKey key, KeyDirection direction) => fields["wrap"] switch
        {
            "tls-crypt" => new TlsCryptWrapper(key, direction),
            "tls-auth" => new TlsAuthWrapper(key, direction, TlsAuthDigest.Sha1),
            "tls-auth-sha256" => new TlsAuthWrapper(key, direction, TlsAuthDigest.Sha256),
            _ => throw new InvalidDataException(fields["wrap"]),
        };

        public KeyBlock KeyBlock() => DataChannel.KeyBlock.FromPrf(
            Bytes("client_pre_master"), Bytes("client_random1"), Bytes("server_random1"),
            Bytes("client_random2"), Bytes("server_random2"),
            SessionId("client_session_id"), SessionId("server_session_id"));
    }
}

using System.Security.Cryptography;

namespace Appliance.Tunnel.Control.Wire;

/// <summary>
/// The tls-crypt-v2 server key: one 128-byte OpenVPN key <c>cipher[64] ‖ hmac[64]</c>, of which the first 32 bytes of each
/// slice are used (Ke for AES-256-CTR, Ka for HMAC-SHA256). Reads and writes the PEM that
/// <c>openvpn --genkey tls-crypt-v2-server</c> writes (<c>-----BEGIN OpenVPN tls-crypt-v2 server key-----</c>).
/// </summary>
/// <remarks>Immutable; <see cref="Dispose"/> zeroes the bytes. <see cref="ToString"/> shows no key material.</remarks>
public sealed class TlsCryptV2ServerKey : IDisposable
{
    public const int Size = 128;
    public const string PemLabel = "OpenVPN tls-crypt-v2 server key";
    private const int SliceSize = 64;
    private const int UsedKeySize = 32;

    private readonly byte[] _bytes;

    private TlsCryptV2ServerKey(byte[] bytes) => _bytes = bytes;

    /// <summary>A fresh key from the system CSPRNG, like <c>openvpn --genkey tls-crypt-v2-server</c>.</summary>
    public static TlsCryptV2ServerKey Generate() => new(RandomNumberGenerator.GetBytes(Size));

    /// <summary>Copies 128 key bytes.</summary>
    public static TlsCryptV2ServerKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"a tls-crypt-v2 server key is {Size} bytes, got {bytes.Length}", nameof(bytes));
        }
        return new TlsCryptV2ServerKey(bytes.ToArray());
    }

    /// <summary>Reads the key file's text; text around the PEM block is ignored.</summary>
    public static TlsCryptV2KeyParseResult TryParse(ReadOnlySpan<char> text, out TlsCryptV2ServerKey? key)
    {
        key = null;
        var result = TlsCryptV2Pem.TryDecode(text, PemLabel, out byte[]? bytes);
        if (result != TlsCryptV2KeyParseResult.Ok)
        {
            return result;
        }
        if (bytes!.Length != Size)
        {
            CryptographicOperations.ZeroMemory(bytes);
            return TlsCryptV2KeyParseResult.WrongLength;
        }
        key = new TlsCryptV2ServerKey(bytes);
        return TlsCryptV2KeyParseResult.Ok;
    }

    /// <summary>The file text, as OpenVPN writes it (64 base64 characters per line).</summary>
    public string ToPemText() => TlsCryptV2Pem.Encode(PemLabel, _bytes);

    /// <summary>Ke: the AES-256-CTR key that encrypts <c>Kc ‖ metadata</c> in a wrapped client key.</summary>
    internal ReadOnlySpan<byte> EncryptionKey => _bytes.AsSpan(0, UsedKeySize);

    /// <summary>Ka: the HMAC-SHA256 key of a wrapped client key's tag.</summary>
    internal ReadOnlySpan<byte> AuthenticationKey => _bytes.AsSpan(SliceSize, UsedKeySize);

    public void Dispose() => CryptographicOperations.ZeroMemory(_bytes);

    public override string ToString() => "tls-crypt-v2 server key (128 bytes)";
}

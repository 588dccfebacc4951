using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Appliance.Tunnel.Control.Wire;

/// <summary>
/// A tls-crypt-v2 client key file: PEM <c>OpenVPN tls-crypt-v2 client key</c> over <c>Kc(256) ‖ WKc</c>, as
/// <c>openvpn --tls-crypt-v2 server.key --genkey tls-crypt-v2-client</c> writes it. The client uses Kc as its tls-crypt key
/// and sends WKc, opaque to it, in its opening packet.
/// </summary>
/// <remarks>Immutable; <see cref="Dispose"/> zeroes the bytes. <see cref="ToString"/> shows no key material.</remarks>
public sealed class TlsCryptV2ClientKey : IDisposable
{
    public const string PemLabel = "OpenVPN tls-crypt-v2 client key";

    private readonly byte[] _bytes;

    private TlsCryptV2ClientKey(byte[] bytes) => _bytes = bytes;

    /// <summary>A fresh random Kc wrapped with <paramref name="serverKey"/> together with <paramref name="metadata"/> (type byte first; at most <see cref="TlsCryptV2WrappedKey.MaxMetadataLength"/> bytes).</summary>
    public static TlsCryptV2ClientKey Create(TlsCryptV2ServerKey serverKey, ReadOnlySpan<byte> metadata)
    {
        ArgumentNullException.ThrowIfNull(serverKey);
        int wrappedLength = TlsCryptV2WrappedKey.LengthFor(metadata.Length);
        byte[] bytes = new byte[TlsCryptV2WrappedKey.ClientKeySize + wrappedLength];
        Span<byte> clientKey = bytes.AsSpan(0, TlsCryptV2WrappedKey.ClientKeySize);
        RandomNumberGenerator.Fill(clientKey);
        using var cipher = new TlsCryptV2WrappedKeyCipher(serverKey);
        if (!cipher.TryWrap(clientKey, metadata, bytes.AsSpan(TlsCryptV2WrappedKey.ClientKeySize), out _))
        {
            throw new InvalidOperationException("the client key buffer was sized for its wrapped key");
        }
        return new TlsCryptV2ClientKey(bytes);
    }

    /// <summary>Reads a client key file's text; text around the PEM block is ignored.</summary>
    public static TlsCryptV2KeyParseResult TryParse(ReadOnlySpan<char> text, out TlsCryptV2ClientKey? key)
    {
        key = null;
        var result = TlsCryptV2Pem.TryDecode(text, PemLabel, out byte[]? bytes);
        if (result != TlsCryptV2KeyParseResult.Ok)
        {
            return result;
        }
        int wrappedLength = bytes!.Length - TlsCryptV2WrappedKey.ClientKeySize;
        if (wrappedLength < TlsCryptV2WrappedKey.MinLength || wrappedLength > TlsCryptV2WrappedKey.MaxLength)
        {
            CryptographicOperations.ZeroMemory(bytes);
            return TlsCryptV2KeyParseResult.WrongLength;
        }
        if (BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(bytes.Length - TlsCryptV2WrappedKey.LengthFieldSize)) != wrappedLength)
        {
            CryptographicOperations.ZeroMemory(bytes);
            return TlsCryptV2KeyParseResult.BadWrappedKey;
        }
        key = new TlsCryptV2ClientKey(bytes);
        return TlsCryptV2KeyParseResult.Ok;
    }

    /// <summary>Kc: the client's 256-byte tls-crypt key (the client sends with its second half, as a tls-crypt v1 client does).</summary>
    public ReadOnlySpan<byte> ClientKey => _bytes.AsSpan(0, TlsCryptV2WrappedKey.ClientKeySize);

    /// <summary>WKc: what the client appends to its opening packet.</summary>
    public ReadOnlySpan<byte> WrappedKey => _bytes.AsSpan(TlsCryptV2WrappedKey.ClientKeySize);

    /// <summary>The file text, as OpenVPN writes it (64 base64 characters per line).</summary>
    public string ToPemText() => TlsCryptV2Pem.Encode(PemLabel, _bytes);

    public void Dispose() => CryptographicOperations.ZeroMemory(_bytes);

    public override string ToString() => $"tls-crypt-v2 client key ({WrappedKey.Length}-byte wrapped key)";
}

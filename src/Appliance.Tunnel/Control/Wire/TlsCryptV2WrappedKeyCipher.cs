using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Appliance.Tunnel.Control.Wire;

/// <summary>Wraps a client key and its metadata into a WKc, and unwraps one, with the tls-crypt-v2 server key (SIV: HMAC-SHA256 tag, AES-256-CTR).</summary>
/// <remarks>One HMAC and one AES instance, reused; not thread-safe (one per listener thread). Unwrap never throws on wire input and allocates no buffer of its own.</remarks>
public sealed class TlsCryptV2WrappedKeyCipher : IDisposable
{
    private const int IvSize = 16;
    private readonly IncrementalHash _hmac;
    private readonly AesCounterMode _cipher;

    public TlsCryptV2WrappedKeyCipher(TlsCryptV2ServerKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key.AuthenticationKey);
        _cipher = new AesCounterMode(key.EncryptionKey);
    }

    /// <summary>Writes <c>WKc</c> for <paramref name="clientKey"/> (256 bytes) and <paramref name="metadata"/> (at most <see cref="TlsCryptV2WrappedKey.MaxMetadataLength"/>).</summary>
    /// <returns>False when <paramref name="wrapped"/> is shorter than <see cref="TlsCryptV2WrappedKey.LengthFor"/>.</returns>
    public bool TryWrap(ReadOnlySpan<byte> clientKey, ReadOnlySpan<byte> metadata, Span<byte> wrapped, out int written)
    {
        if (clientKey.Length != TlsCryptV2WrappedKey.ClientKeySize)
        {
            throw new ArgumentException($"a tls-crypt-v2 client key is {TlsCryptV2WrappedKey.ClientKeySize} bytes, got {clientKey.Length}", nameof(clientKey));
        }
        if (metadata.Length > TlsCryptV2WrappedKey.MaxMetadataLength)
        {
            throw new ArgumentException($"tls-crypt-v2 metadata is at most {TlsCryptV2WrappedKey.MaxMetadataLength} bytes, got {metadata.Length}", nameof(metadata));
        }
        written = 0;
        int length = TlsCryptV2WrappedKey.LengthFor(metadata.Length);
        if (wrapped.Length < length)
        {
            return false;
        }
        Span<byte> lengthField = wrapped.Slice(length - TlsCryptV2WrappedKey.LengthFieldSize, TlsCryptV2WrappedKey.LengthFieldSize);
        BinaryPrimitives.WriteUInt16BigEndian(lengthField, (ushort)length);
        Span<byte> clear = stackalloc byte[TlsCryptV2WrappedKey.ClientKeySize + TlsCryptV2WrappedKey.MaxMetadataLength];
        clear = clear[..(TlsCryptV2WrappedKey.ClientKeySize + metadata.Length)];
        clientKey.CopyTo(clear);
        metadata.CopyTo(clear[TlsCryptV2WrappedKey.ClientKeySize..]);
        Span<byte> tag = wrapped[..TlsCryptV2WrappedKey.TagSize];
        _hmac.AppendData(lengthField);
        _hmac.AppendData(clear);
        _hmac.GetHashAndReset(tag);
        _cipher.Transform(tag[..IvSize], clear, wrapped.Slice(TlsCryptV2WrappedKey.TagSize, clear.Length));
        CryptographicOperations.ZeroMemory(clear);
        written = length;
        return true;
    }

    /// <summary>
    /// Authenticates <paramref name="wrapped"/> (the whole WKc, length field included) and writes <c>Kc ‖ metadata</c> to
    /// <paramref name="clientKeyAndMetadata"/>: Kc is its first 256 bytes, the metadata the next <paramref name="metadataLength"/>.
    /// The tag is compared in constant time; on failure the destination is zeroed.
    /// </summary>
    public TlsCryptV2UnwrapResult Unwrap(ReadOnlySpan<byte> wrapped, Span<byte> clientKeyAndMetadata, out int metadataLength)
    {
        metadataLength = 0;
        if (wrapped.Length > TlsCryptV2WrappedKey.MaxLength)
        {
            return TlsCryptV2UnwrapResult.WrappedKeyTooLong;
        }
        if (wrapped.Length < TlsCryptV2WrappedKey.MinLength)
        {
            return wrapped.Length < TlsCryptV2WrappedKey.LengthFieldSize ? TlsCryptV2UnwrapResult.Truncated : TlsCryptV2UnwrapResult.WrappedKeyLengthInvalid;
        }
        ReadOnlySpan<byte> lengthField = wrapped[^TlsCryptV2WrappedKey.LengthFieldSize..];
        if (BinaryPrimitives.ReadUInt16BigEndian(lengthField) != wrapped.Length)
        {
            return TlsCryptV2UnwrapResult.WrappedKeyLengthInvalid;
        }
        ReadOnlySpan<byte> tag = wrapped[..TlsCryptV2WrappedKey.TagSize];
        ReadOnlySpan<byte> encrypted = wrapped[TlsCryptV2WrappedKey.TagSize..^TlsCryptV2WrappedKey.LengthFieldSize];
        if (clientKeyAndMetadata.Length < encrypted.Length)
        {
            return TlsCryptV2UnwrapResult.DestinationTooSmall;
        }
        Span<byte> clear = clientKeyAndMetadata[..encrypted.Length];
        _cipher.Transform(tag[..IvSize], encrypted, clear);
        Span<byte> expected = stackalloc byte[TlsCryptV2WrappedKey.TagSize];
        _hmac.AppendData(lengthField);
        _hmac.AppendData(clear);
        _hmac.GetHashAndReset(expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, tag))
        {
            CryptographicOperations.ZeroMemory(clear);
            return TlsCryptV2UnwrapResult.BadWrappedKeyTag;
        }
        metadataLength = clear.Length - TlsCryptV2WrappedKey.ClientKeySize;
        return TlsCryptV2UnwrapResult.Ok;
    }

    public void Dispose()
    {
        _hmac.Dispose();
        _cipher.Dispose();
    }

    public override string ToString() => "tls-crypt-v2 wrapped key cipher";
}

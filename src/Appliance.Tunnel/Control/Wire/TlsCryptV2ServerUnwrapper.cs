using System.Security.Cryptography;

namespace Appliance.Tunnel.Control.Wire;

/// <summary>
/// Reads a tls-crypt-v2 opening packet on the server (opcode 10, or 11 when the client resends its WKc): splits off the WKc,
/// unwraps it with the server key to Kc and metadata, then authenticates and decrypts the packet's tls-crypt part under Kc.
/// </summary>
/// <remarks>
/// Both tags are checked (constant time) before anything is returned, so what follows (<see cref="TlsCryptV2Opening.Admit"/>,
/// a session) only ever sees packets made by a holder of Kc. No buffer of ours is allocated per packet (only .NET's AES
/// one-shots allocate, a few hundred bytes); on failure the work buffer is zeroed. One instance per thread (the
/// listener's): the AES instance is re-keyed per packet.
/// </remarks>
public sealed class TlsCryptV2ServerUnwrapper : IDisposable
{
    private const int HeaderSize = 1 + ControlPacket.SessionIdSize + WrapReplayId.Size;
    private const int KeySize = 32;
    // The client sends with the second half of Kc (tls-crypt v1 client direction): Ke at 128, Ka at 192.
    private const int ClientSendCipherOffset = StaticKey.KeySize;
    private const int ClientSendHmacOffset = StaticKey.KeySize + StaticKey.SliceSize;

    private readonly TlsCryptV2WrappedKeyCipher _wrappedKey;
    private readonly AesCounterMode _packetCipher;

    public TlsCryptV2ServerUnwrapper(TlsCryptV2ServerKey serverKey)
    {
        _wrappedKey = new TlsCryptV2WrappedKeyCipher(serverKey);
        Span<byte> placeholder = stackalloc byte[KeySize];
        _packetCipher = new AesCounterMode(placeholder);
    }

    /// <summary>
    /// Unwraps an opening packet. <paramref name="work"/> (at least <paramref name="packet"/>'s length) receives Kc, the
    /// metadata and the plain packet; <paramref name="opening"/> points into it. Never throws on wire input.
    /// </summary>
    public TlsCryptV2UnwrapResult Unwrap(ReadOnlySpan<byte> packet, Span<byte> work, out TlsCryptV2Opening opening)
    {
        opening = default;
        var split = TlsCryptV2WrappedKey.TrySplit(packet, out int wrappedPacketLength);
        if (split != TlsCryptV2UnwrapResult.Ok)
        {
            return split;
        }
        if (work.Length < packet.Length)
        {
            return TlsCryptV2UnwrapResult.DestinationTooSmall;
        }
        ReadOnlySpan<byte> wrappedPacket = packet[..wrappedPacketLength];
        ReadOnlySpan<byte> wrappedKey = packet[wrappedPacketLength..];

        var result = _wrappedKey.Unwrap(wrappedKey, work, out int metadataLength);
        if (result != TlsCryptV2UnwrapResult.Ok)
        {
            return result;
        }
        int keyAndMetadata = TlsCryptV2WrappedKey.ClientKeySize + metadataLength;
        ReadOnlySpan<byte> clientKey = work[..TlsCryptV2WrappedKey.ClientKeySize];

        // tls-crypt under Kc, decrypted behind Kc ‖ metadata as header ‖ clear (what the tag covers), then the replay id
        // is squeezed out to leave the plain layout op ‖ sid ‖ reliable part.
        ReadOnlySpan<byte> tag = wrappedPacket.Slice(HeaderSize, TlsCryptWrapper.TagSize);
        ReadOnlySpan<byte> encrypted = wrappedPacket[(HeaderSize + TlsCryptWrapper.TagSize)..];
        Span<byte> region = work.Slice(keyAndMetadata, HeaderSize + encrypted.Length);
        wrappedPacket[..HeaderSize].CopyTo(region);
        _packetCipher.SetKey(clientKey.Slice(ClientSendCipherOffset, KeySize));
        _packetCipher.Transform(tag[..16], encrypted, region[HeaderSize..]);
        Span<byte> expected = stackalloc byte[TlsCryptWrapper.TagSize];
        HMACSHA256.HashData(clientKey.Slice(ClientSendHmacOffset, KeySize), region, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, tag))
        {
            CryptographicOperations.ZeroMemory(work[..(keyAndMetadata + region.Length)]);
            return TlsCryptV2UnwrapResult.BadPacketTag;
        }
        var replayId = WrapReplayId.Read(region[(1 + ControlPacket.SessionIdSize)..]);
        region[HeaderSize..].CopyTo(region[(1 + ControlPacket.SessionIdSize)..]);
        int plainLength = 1 + ControlPacket.SessionIdSize + encrypted.Length;
        opening = new TlsCryptV2Opening(
            work[..TlsCryptV2WrappedKey.ClientKeySize],
            work.Slice(TlsCryptV2WrappedKey.ClientKeySize, metadataLength),
            region[..plainLength],
            replayId);
        return TlsCryptV2UnwrapResult.Ok;
    }

    public void Dispose()
    {
        _wrappedKey.Dispose();
        _packetCipher.Dispose();
    }

    public override string ToString() => "tls-crypt-v2 server unwrapper";
}

using System.Security.Cryptography;

namespace Appliance.Tunnel.Control.Wire;

/// <summary>
/// tls-crypt v1 (tls_crypt.c): <c>op ‖ sid ‖ replay id(8) ‖ tag(32) ‖ AES-256-CTR(Ke, IV = tag[0..16], reliable part)</c>,
/// tag = HMAC-SHA256(Ka, op ‖ sid ‖ replay id ‖ clear reliable part).
/// </summary>
/// <remarks>
/// Key slices by role: the server (<see cref="KeyDirection.Normal"/>) sends with key 0 (Ke = bytes 0–31,
/// Ka = 64–95) and receives with key 1 (128–159, 192–223); the client the opposite. One HMAC and one AES
/// instance per direction, reused; not thread-safe per direction (see <see cref="IControlPacketWrapper"/>).
/// </remarks>
public sealed class TlsCryptWrapper : IControlPacketWrapper
{
    public const int TagSize = 32;
    private const int HeaderSize = 1 + ControlPacket.SessionIdSize + WrapReplayId.Size;
    public const int WrapOverhead = WrapReplayId.Size + TagSize;
    private const int KeySize = 32;

    private readonly IncrementalHash _sendHmac;
    private readonly AesCounterMode _sendCipher;
    private readonly IncrementalHash _receiveHmac;
    private readonly AesCounterMode _receiveCipher;

    /// <param name="key">The shared tls-crypt key file.</param>
    /// <param name="direction"><see cref="KeyDirection.Normal"/> for the server, <see cref="KeyDirection.Inverse"/> for a client.</param>
    public TlsCryptWrapper(StaticKey key, KeyDirection direction = KeyDirection.Normal)
    {
        if (direction == KeyDirection.Bidirectional)
        {
            throw new ArgumentException("tls-crypt always uses both keys: Normal (server) or Inverse (client)", nameof(direction));
        }
        int send = KeyDirections.SendIndex(direction);
        int receive = KeyDirections.ReceiveIndex(direction);
        _sendHmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key.HmacSlice(send)[..KeySize]);
        _sendCipher = new AesCounterMode(key.CipherSlice(send)[..KeySize]);
        _receiveHmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key.HmacSlice(receive)[..KeySize]);
        _receiveCipher = new AesCounterMode(key.CipherSlice(receive)[..KeySize]);
    }

    public int Overhead => WrapOverhead;

    public bool TryWrap(ReadOnlySpan<byte> plain, WrapReplayId replayId, Span<byte> wire, out int written)
    {
        written = 0;
        if (plain.Length < 1 + ControlPacket.SessionIdSize)
        {
            throw new ArgumentException("a plain control packet starts with opcode and session id", nameof(plain));
        }
        int length = plain.Length + WrapOverhead;
        if (wire.Length < length)
        {
            return false;
        }
        ReadOnlySpan<byte> clear = plain[(1 + ControlPacket.SessionIdSize)..];
        plain[..(1 + ControlPacket.SessionIdSize)].CopyTo(wire);
        replayId.Write(wire[(1 + ControlPacket.SessionIdSize)..]);
        Span<byte> tag = wire.Slice(HeaderSize, TagSize);
        _sendHmac.AppendData(wire[..HeaderSize]);
        _sendHmac.AppendData(clear);
        _sendHmac.GetHashAndReset(tag);
        _sendCipher.Transform(tag[..16], clear, wire.Slice(HeaderSize + TagSize, clear.Length));
        written = length;
        return true;
    }

    public UnwrapResult Unwrap(ReadOnlySpan<byte> wire, Span<byte> plain, out int plainLength, out WrapReplayId replayId)
    {
        plainLength = 0;
        replayId = default;
        if (wire.Length < HeaderSize + TagSize)
        {
            return UnwrapResult.Truncated;
        }
        int length = wire.Length - WrapOverhead;
        if (plain.Length < length)
        {
            return UnwrapResult.DestinationTooSmall;
        }
        ReadOnlySpan<byte> header = wire[..HeaderSize];
        ReadOnlySpan<byte> tag = wire.Slice(HeaderSize, TagSize);
        ReadOnlySpan<byte> encrypted = wire[(HeaderSize + TagSize)..];
        Span<byte> clear = plain.Slice(1 + ControlPacket.SessionIdSize, encrypted.Length);
        _receiveCipher.Transform(tag[..16], encrypted, clear);
        Span<byte> expected = stackalloc byte[TagSize];
        _receiveHmac.AppendData(header);
        _receiveHmac.AppendData(clear);
        _receiveHmac.GetHashAndReset(expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, tag))
        {
            CryptographicOperations.ZeroMemory(clear);
            return UnwrapResult.BadAuthentication;
        }
        wire[..(1 + ControlPacket.SessionIdSize)].CopyTo(plain);
        replayId = WrapReplayId.Read(wire[(1 + ControlPacket.SessionIdSize)..]);
        plainLength = length;
        return UnwrapResult.Ok;
    }

    public void Dispose()
    {
        _sendHmac.Dispose();
        _sendCipher.Dispose();
        _receiveHmac.Dispose();
        _receiveCipher.Dispose();
    }

    public override string ToString() => "tls-crypt v1 wrapper";
}

using System.Security.Cryptography;

namespace Appliance.Tunnel.Control.Wire;

/// <summary>
/// tls-auth: <c>op ‖ sid ‖ HMAC(H) ‖ replay id(8) ‖ clear reliable part</c>, HMAC over
/// <c>replay id ‖ op ‖ sid ‖ reliable part</c> with the first H bytes of the hmac slice as key.
/// </summary>
/// <remarks>
/// Server with <c>key-direction 0</c> = <see cref="KeyDirection.Normal"/> (send key 0 hmac at 64, receive key 1 hmac at 192);
/// no key-direction = <see cref="KeyDirection.Bidirectional"/> (key 0 both ways). Not thread-safe per direction.
/// </remarks>
public sealed class TlsAuthWrapper : IControlPacketWrapper
{
    private const int PrefixSize = 1 + ControlPacket.SessionIdSize;
    private readonly int _hmacSize;
    private readonly IncrementalHash _sendHmac;
    private readonly IncrementalHash _receiveHmac;

    public TlsAuthWrapper(StaticKey key, KeyDirection direction = KeyDirection.Normal, TlsAuthDigest digest = TlsAuthDigest.Sha1)
    {
        _hmacSize = (int)digest;
        HashAlgorithmName algorithm = digest switch
        {
            TlsAuthDigest.Sha1 => HashAlgorithmName.SHA1,
            TlsAuthDigest.Sha256 => HashAlgorithmName.SHA256,
            TlsAuthDigest.Sha512 => HashAlgorithmName.SHA512,
            _ => throw new ArgumentOutOfRangeException(nameof(digest), digest, "unsupported tls-auth digest"),
        };
        _sendHmac = IncrementalHash.CreateHMAC(algorithm, key.HmacSlice(KeyDirections.SendIndex(direction))[.._hmacSize]);
        _receiveHmac = IncrementalHash.CreateHMAC(algorithm, key.HmacSlice(KeyDirections.ReceiveIndex(direction))[.._hmacSize]);
    }

    public int Overhead => _hmacSize + WrapReplayId.Size;

    public bool TryWrap(ReadOnlySpan<byte> plain, WrapReplayId replayId, Span<byte> wire, out int written)
    {
        written = 0;
        if (plain.Length < PrefixSize)
        {
            throw new ArgumentException("a plain control packet starts with opcode and session id", nameof(plain));
        }
        int length = plain.Length + Overhead;
        if (wire.Length < length)
        {
            return false;
        }
        plain[..PrefixSize].CopyTo(wire);
        Span<byte> replay = wire.Slice(PrefixSize + _hmacSize, WrapReplayId.Size);
        replayId.Write(replay);
        plain[PrefixSize..].CopyTo(wire[(PrefixSize + Overhead)..]);
        _sendHmac.AppendData(replay);
        _sendHmac.AppendData(plain);
        _sendHmac.GetHashAndReset(wire.Slice(PrefixSize, _hmacSize));
        written = length;
        return true;
    }

    public UnwrapResult Unwrap(ReadOnlySpan<byte> wire, Span<byte> plain, out int plainLength, out WrapReplayId replayId)
    {
        plainLength = 0;
        replayId = default;
        if (wire.Length < PrefixSize + Overhead)
        {
            return UnwrapResult.Truncated;
        }
        int length = wire.Length - Overhead;
        if (plain.Length < length)
        {
            return UnwrapResult.DestinationTooSmall;
        }
        ReadOnlySpan<byte> received = wire.Slice(PrefixSize, _hmacSize);
        ReadOnlySpan<byte> replay = wire.Slice(PrefixSize + _hmacSize, WrapReplayId.Size);
        ReadOnlySpan<byte> rest = wire[(PrefixSize + Overhead)..];
        Span<byte> expected = stackalloc byte[_hmacSize];
        _receiveHmac.AppendData(replay);
        _receiveHmac.AppendData(wire[..PrefixSize]);
        _receiveHmac.AppendData(rest);
        _receiveHmac.GetHashAndReset(expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, received))
        {
            return UnwrapResult.BadAuthentication;
        }
        wire[..PrefixSize].CopyTo(plain);
        rest.CopyTo(plain[PrefixSize..]);
        replayId = WrapReplayId.Read(replay);
        plainLength = length;
        return UnwrapResult.Ok;
    }

    public void Dispose()
    {
        _sendHmac.Dispose();
        _receiveHmac.Dispose();
    }

    public override string ToString() => $"tls-auth wrapper (HMAC {_hmacSize * 8} bits)";
}

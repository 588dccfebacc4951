using System.Buffers.Binary;

namespace Appliance.Tunnel.Control.Wire;

/// <summary>
/// Layout of a wrapped client key (doc/tls-crypt-v2.txt): <c>WKc = T(32) ‖ AES-256-CTR(Ke, IV = T[0..16], Kc ‖ metadata) ‖ len(u16)</c>,
/// <c>T = HMAC-SHA256(Ka, len ‖ Kc ‖ metadata)</c>, <c>len</c> = the whole WKc's length. An opening packet carries it in clear
/// after its tls-crypt part.
/// </summary>
public static class TlsCryptV2WrappedKey
{
    public const int TagSize = 32;
    /// <summary>Kc: a full 256-byte OpenVPN static key (two keys of <c>cipher[64] ‖ hmac[64]</c>).</summary>
    public const int ClientKeySize = StaticKey.Size;
    public const int LengthFieldSize = 2;
    /// <summary>OpenVPN's TLS_CRYPT_V2_MAX_WKC_LEN.</summary>
    public const int MaxLength = 1024;
    /// <summary>A WKc with empty metadata.</summary>
    public const int MinLength = TagSize + ClientKeySize + LengthFieldSize;
    /// <summary>The most metadata a WKc can hold (type byte included): 734.</summary>
    public const int MaxMetadataLength = MaxLength - MinLength;
    /// <summary>The tls-crypt part in front of the WKc: opcode, session id, replay id, tag.</summary>
    internal const int MinWrappedPacketLength = 1 + ControlPacket.SessionIdSize + WrapReplayId.Size + TlsCryptWrapper.TagSize;

    /// <summary>The WKc length for <paramref name="metadataLength"/> bytes of metadata.</summary>
    public static int LengthFor(int metadataLength) => MinLength + metadataLength;

    /// <summary>
    /// Splits an opcode 10 / 11 packet into its tls-crypt part (<c>packet[..wrappedPacketLength]</c>) and the WKc after it,
    /// reading the WKc length from the last two bytes. Checks lengths only; authenticates nothing.
    /// </summary>
    public static TlsCryptV2UnwrapResult TrySplit(ReadOnlySpan<byte> packet, out int wrappedPacketLength)
    {
        wrappedPacketLength = 0;
        if (!OpcodeByte.TryRead(packet, out Opcode opcode, out _))
        {
            return TlsCryptV2UnwrapResult.Truncated;
        }
        if (opcode is not (Opcode.ControlHardResetClientV3 or Opcode.ControlWkcV1))
        {
            return TlsCryptV2UnwrapResult.NotWrappedKeyOpcode;
        }
        if (packet.Length < MinWrappedPacketLength + LengthFieldSize)
        {
            return TlsCryptV2UnwrapResult.Truncated;
        }
        int length = BinaryPrimitives.ReadUInt16BigEndian(packet[^LengthFieldSize..]);
        if (length > MaxLength)
        {
            return TlsCryptV2UnwrapResult.WrappedKeyTooLong;
        }
        if (length < MinLength || length > packet.Length - MinWrappedPacketLength)
        {
            return TlsCryptV2UnwrapResult.WrappedKeyLengthInvalid;
        }
        wrappedPacketLength = packet.Length - length;
        return TlsCryptV2UnwrapResult.Ok;
    }
}

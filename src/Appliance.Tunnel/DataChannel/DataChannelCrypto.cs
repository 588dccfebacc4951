using System.Buffers.Binary;
using System.Security.Cryptography;
using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.Replay;

namespace Appliance.Tunnel.DataChannel;

/// <summary>
/// One data-channel key (one key-id): AEAD encryption in place with OpenVPN's nonce
/// (<c>packet id(4) ‖ implicit IV(8)</c>), the send packet-id counter and the receive replay window.
/// </summary>
/// <remarks>
/// One AEAD instance per direction, created once. The send side (Encrypt*, counter) and the receive side
/// (Decrypt, replay window) are independent: one thread may send while another receives, but neither side
/// is safe for two threads at once. Owner: a session's key slot. No allocation per packet.
/// </remarks>
public sealed class DataChannelCrypto : IDisposable
{
    /// <summary>2.6 renegotiates once the packet id passes this; we report it through <see cref="RenegotiationDue"/>.</summary>
    public const uint RenegotiationThreshold = 0xFF000000;
    private const int NonceSize = 12;

    private readonly DataCipher _cipher;
    private readonly AesGcm? _sendGcm;
    private readonly AesGcm? _receiveGcm;
    private readonly ChaCha20Poly1305? _sendChaCha;
    private readonly ChaCha20Poly1305? _receiveChaCha;
    private readonly byte[] _sendIv;
    private readonly byte[] _receiveIv;
    // Kept only so a live key can be carried into the next process (DataKeyState); zeroed on Dispose.
    private readonly byte[] _sendKey;
    private readonly byte[] _receiveKey;
    private readonly ReplayWindow _replay;
    private readonly uint _peerId;
    private uint _sendPacketId;

    public DataChannelCrypto(DataCipher cipher, ReadOnlySpan<byte> sendKey, ReadOnlySpan<byte> sendImplicitIv,
        ReadOnlySpan<byte> receiveKey, ReadOnlySpan<byte> receiveImplicitIv, int keyId, uint peerId, TimeProvider? timeProvider = null)
    {
        if ((uint)keyId > OpcodeByte.MaxKeyId)
        {
            throw new ArgumentOutOfRangeException(nameof(keyId), keyId, "key id is 0..7");
        }
        if (peerId > 0xFFFFFF)
        {
            throw new ArgumentOutOfRangeException(nameof(peerId), peerId, "peer-id is 24 bits");
        }
        if (sendImplicitIv.Length != KeyBlock.ImplicitIvSize || receiveImplicitIv.Length != KeyBlock.ImplicitIvSize)
        {
            throw new ArgumentException($"implicit IVs are {KeyBlock.ImplicitIvSize} bytes");
        }
        _cipher = cipher;
        KeyId = keyId;
        _peerId = peerId;
        if (cipher == DataCipher.ChaCha20Poly1305)
        {
            _sendChaCha = new ChaCha20Poly1305(sendKey);
            _receiveChaCha = new ChaCha20Poly1305(receiveKey);
        }
        else
        {
            _sendGcm = new AesGcm(sendKey, DataPacketHeader.TagSize);
            _receiveGcm = new AesGcm(receiveKey, DataPacketHeader.TagSize);
        }
        _sendIv = sendImplicitIv.ToArray();
        _receiveIv = receiveImplicitIv.ToArray();
        _sendKey = sendKey.ToArray();
        _receiveKey = receiveKey.ToArray();
        _replay = new ReplayWindow(timeProvider);
    }

    /// <summary>Everything this key is, to carry into another process: the keys, the send counter advanced by
    /// <paramref name="packetIdMargin"/> (packets that may still leave after the export must never share a nonce with
    /// the next process's), and the replay window. Secret: it travels in memory only.</summary>
    public DataKeyState Export(uint packetIdMargin)
    {
        var (highest, seen) = _replay.Export();
        uint next = _sendPacketId > uint.MaxValue - packetIdMargin ? uint.MaxValue : _sendPacketId + packetIdMargin;
        return new DataKeyState(_cipher, KeyId, _peerId, _sendKey.ToArray(), _sendIv.ToArray(), _receiveKey.ToArray(), _receiveIv.ToArray(), next, highest, seen);
    }

    /// <summary>A key carried over from another process by <see cref="Export"/>.</summary>
    public static DataChannelCrypto Restore(DataKeyState state, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var crypto = new DataChannelCrypto(state.Cipher, state.SendKey, state.SendIv, state.ReceiveKey, state.ReceiveIv, state.KeyId, state.PeerId, timeProvider);
        crypto._sendPacketId = state.LastSentPacketId;
        crypto._replay.Restore(state.ReplayHighest, state.ReplaySeen);
        return crypto;
    }

    /// <summary>Server role: sends with the s→c slices, receives with the c→s slices.</summary>
    public static DataChannelCrypto ForServer(DataCipher cipher, KeyBlock block, int keyId, uint peerId, TimeProvider? timeProvider = null) =>
        new(cipher, block.ServerToClientKey(cipher), block.ServerToClientImplicitIv,
            block.ClientToServerKey(cipher), block.ClientToServerImplicitIv, keyId, peerId, timeProvider);

    /// <summary>Client role (test peers and tools).</summary>
    public static DataChannelCrypto ForClient(DataCipher cipher, KeyBlock block, int keyId, uint peerId, TimeProvider? timeProvider = null) =>
        new(cipher, block.ClientToServerKey(cipher), block.ClientToServerImplicitIv,
            block.ServerToClientKey(cipher), block.ServerToClientImplicitIv, keyId, peerId, timeProvider);

    public DataCipher Cipher => _cipher;
    public int KeyId { get; }

    /// <summary>Last packet id sent (0 before the first packet).</summary>
    public uint LastSentPacketId => _sendPacketId;

    /// <summary>True once the send counter passed <see cref="RenegotiationThreshold"/>: start a renegotiation.</summary>
    public bool RenegotiationDue => _sendPacketId >= RenegotiationThreshold;

    /// <summary>
    /// Builds a P_DATA_V2 packet in place. The payload must already sit at
    /// <c>buffer[OverheadV2 .. OverheadV2 + payloadLength)</c>; header and tag are written in front of it.
    /// </summary>
    public DataEncryptResult EncryptV2(Span<byte> buffer, int payloadLength, out int packetLength)
    {
        packetLength = 0;
        DataEncryptResult check = PrepareSend(buffer, DataPacketHeader.OverheadV2, payloadLength, out uint packetId);
        if (check != DataEncryptResult.Ok)
        {
            return check;
        }
        BinaryPrimitives.WriteUInt32BigEndian(buffer, ((uint)OpcodeByte.Compose(Opcode.DataV2, KeyId) << 24) | _peerId);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[4..], packetId);
        Seal(packetId, buffer[..8], buffer.Slice(8, DataPacketHeader.TagSize),
            buffer.Slice(DataPacketHeader.OverheadV2, payloadLength));
        packetLength = DataPacketHeader.OverheadV2 + payloadLength;
        return DataEncryptResult.Ok;
    }

    /// <summary>Builds a P_DATA_V1 packet in place (for clients that got no peer-id); payload at <c>buffer[OverheadV1..]</c>.</summary>
    public DataEncryptResult EncryptV1(Span<byte> buffer, int payloadLength, out int packetLength)
    {
        packetLength = 0;
        DataEncryptResult check = PrepareSend(buffer, DataPacketHeader.OverheadV1, payloadLength, out uint packetId);
        if (check != DataEncryptResult.Ok)
        {
            return check;
        }
        buffer[0] = OpcodeByte.Compose(Opcode.DataV1, KeyId);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[1..], packetId);
        Seal(packetId, buffer.Slice(1, 4), buffer.Slice(5, DataPacketHeader.TagSize),
            buffer.Slice(DataPacketHeader.OverheadV1, payloadLength));
        packetLength = DataPacketHeader.OverheadV1 + payloadLength;
        return DataEncryptResult.Ok;
    }

    /// <summary>
    /// Authenticates and decrypts a P_DATA_V1/V2 packet in place, then applies the replay window.
    /// On <see cref="DataDecryptResult.Ok"/> the payload is <c>packet.Slice(payloadOffset, payloadLength)</c>. Never throws on wire input.
    /// </summary>
    public DataDecryptResult Decrypt(Span<byte> packet, out int payloadOffset, out int payloadLength)
    {
        payloadOffset = 0;
        payloadLength = 0;
        if (packet.IsEmpty)
        {
            return DataDecryptResult.Truncated;
        }
        Opcode opcode = OpcodeByte.OpcodeOf(packet[0]);
        int overhead;
        ReadOnlySpan<byte> aad;
        uint packetId;
        if (opcode == Opcode.DataV2)
        {
            overhead = DataPacketHeader.OverheadV2;
            if (packet.Length <= overhead)
            {
                return DataDecryptResult.Truncated;
            }
            aad = packet[..8];
            packetId = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        }
        else if (opcode == Opcode.DataV1)
        {
            overhead = DataPacketHeader.OverheadV1;
            if (packet.Length <= overhead)
            {
                return DataDecryptResult.Truncated;
            }
            aad = packet.Slice(1, 4);
            packetId = BinaryPrimitives.ReadUInt32BigEndian(packet[1..]);
        }
        else
        {
            return DataDecryptResult.NotData;
        }
        if (OpcodeByte.KeyIdOf(packet[0]) != KeyId)
        {
            return DataDecryptResult.WrongKeyId;
        }
        ReadOnlySpan<byte> tag = packet.Slice(overhead - DataPacketHeader.TagSize, DataPacketHeader.TagSize);
        Span<byte> body = packet[overhead..];
        Span<byte> nonce = stackalloc byte[NonceSize];
        BinaryPrimitives.WriteUInt32BigEndian(nonce, packetId);
        _receiveIv.CopyTo(nonce[4..]);
        try
        {
            if (_receiveChaCha is not null)
            {
                _receiveChaCha.Decrypt(nonce, body, tag, body, aad);
            }
            else
            {
                _receiveGcm!.Decrypt(nonce, body, tag, body, aad);
            }
        }
        catch (AuthenticationTagMismatchException)
        {
            // .NET reports a forged packet only by exception; it is the peer's fault, so it becomes a value.
            return DataDecryptResult.BadTag;
        }
        if (_replay.TryAccept(packetId) != ReplayCheck.Accepted)
        {
            body.Clear();
            return DataDecryptResult.Replay;
        }
        payloadOffset = overhead;
        payloadLength = body.Length;
        return DataDecryptResult.Ok;
    }

    public void Dispose()
    {
        _sendGcm?.Dispose();
        _receiveGcm?.Dispose();
        _sendChaCha?.Dispose();
        _receiveChaCha?.Dispose();
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(_sendKey);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(_receiveKey);
    }

    public override string ToString() => $"{DataCiphers.Name(_cipher)} key-id {KeyId}";

    private DataEncryptResult PrepareSend(Span<byte> buffer, int overhead, int payloadLength, out uint packetId)
    {
        packetId = 0;
        if (payloadLength <= 0)
        {
            return DataEncryptResult.EmptyPayload;
        }
        if (buffer.Length < overhead + payloadLength)
        {
            return DataEncryptResult.BufferTooSmall;
        }
        if (_sendPacketId == uint.MaxValue)
        {
            // Never wrap: a repeated packet id would repeat an AEAD nonce.
            return DataEncryptResult.PacketIdExhausted;
        }
        packetId = ++_sendPacketId;
        return DataEncryptResult.Ok;
    }

    private void Seal(uint packetId, ReadOnlySpan<byte> aad, Span<byte> tag, Span<byte> payload)
    {
        Span<byte> nonce = stackalloc byte[NonceSize];
        BinaryPrimitives.WriteUInt32BigEndian(nonce, packetId);
        _sendIv.CopyTo(nonce[4..]);
        if (_sendChaCha is not null)
        {
            _sendChaCha.Encrypt(nonce, payload, payload, tag, aad);
        }
        else
        {
            _sendGcm!.Encrypt(nonce, payload, payload, tag, aad);
        }
    }

    /// <summary>Test hook: continue the send counter from <paramref name="lastSent"/> (to exercise exhaustion without 2³² packets).</summary>
    internal void SetLastSentPacketIdForTest(uint lastSent) => _sendPacketId = lastSent;
}

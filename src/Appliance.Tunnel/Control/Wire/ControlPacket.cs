using System.Buffers.Binary;

namespace Appliance.Tunnel.Control.Wire;

/// <summary>
/// A control packet in its plain layout (the "no wrapping" form; the wrappers add and remove tls-auth /
/// tls-crypt): <c>op/key-id(1) ‖ session id(8) ‖ ack_count(1) ‖ ack ids(4 each) ‖ [peer session id(8) if acks]
/// ‖ [message id(4), absent in P_ACK_V1] ‖ payload</c>. A view over the caller's bytes; no copies.
/// </summary>
public readonly ref struct ControlPacket
{
    /// <summary>2.6 rejects ACK blocks longer than this (reliable.h RELIABLE_ACK_SIZE).</summary>
    public const int MaxAcks = 8;
    public const int SessionIdSize = 8;
    /// <summary>Opcode + session id + empty ACK block.</summary>
    public const int MinimumSize = 1 + SessionIdSize + 1;

    private readonly ReadOnlySpan<byte> _acks;

    private ControlPacket(Opcode opcode, int keyId, ulong sessionId, ReadOnlySpan<byte> acks, ulong peerSessionId,
        bool hasMessageId, uint messageId, ReadOnlySpan<byte> payload)
    {
        Opcode = opcode;
        KeyId = keyId;
        SessionId = sessionId;
        _acks = acks;
        PeerSessionId = peerSessionId;
        HasMessageId = hasMessageId;
        MessageId = messageId;
        Payload = payload;
    }

    public Opcode Opcode { get; }
    public int KeyId { get; }
    /// <summary>The sender's session id (big-endian u64 of the 8 bytes).</summary>
    public ulong SessionId { get; }
    public int AckCount => _acks.Length / 4;
    /// <summary>The session id the ACKs refer to (the receiver's own id); 0 when there are no ACKs.</summary>
    public ulong PeerSessionId { get; }
    /// <summary>False only for P_ACK_V1.</summary>
    public bool HasMessageId { get; }
    public uint MessageId { get; }
    /// <summary>TLS bytes for P_CONTROL_V1; empty for resets (tls-crypt-v2 TLVs aside).</summary>
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>The <paramref name="index"/>-th acknowledged message id.</summary>
    public uint AckId(int index) => BinaryPrimitives.ReadUInt32BigEndian(_acks.Slice(index * 4, 4));

    /// <summary>Parses the plain layout; never throws on any input.</summary>
    public static ControlParseResult TryParse(ReadOnlySpan<byte> plain, out ControlPacket packet)
    {
        packet = default;
        if (plain.Length < MinimumSize)
        {
            return ControlParseResult.Truncated;
        }
        Opcode opcode = OpcodeByte.OpcodeOf(plain[0]);
        if (!OpcodeByte.IsControl(opcode))
        {
            return ControlParseResult.NotControl;
        }
        ulong sessionId = BinaryPrimitives.ReadUInt64BigEndian(plain[1..]);
        int ackCount = plain[1 + SessionIdSize];
        if (ackCount > MaxAcks)
        {
            return ControlParseResult.TooManyAcks;
        }
        int offset = MinimumSize;
        ReadOnlySpan<byte> acks = default;
        ulong peerSessionId = 0;
        if (ackCount > 0)
        {
            int ackBytes = ackCount * 4;
            if (plain.Length < offset + ackBytes + SessionIdSize)
            {
                return ControlParseResult.Truncated;
            }
            acks = plain.Slice(offset, ackBytes);
            offset += ackBytes;
            peerSessionId = BinaryPrimitives.ReadUInt64BigEndian(plain[offset..]);
            offset += SessionIdSize;
        }
        bool hasMessageId = opcode != Opcode.AckV1;
        uint messageId = 0;
        if (hasMessageId)
        {
            if (plain.Length < offset + 4)
            {
                return ControlParseResult.Truncated;
            }
            messageId = BinaryPrimitives.ReadUInt32BigEndian(plain[offset..]);
            offset += 4;
        }
        else if (plain.Length > offset)
        {
            return ControlParseResult.UnexpectedPayload;
        }
        packet = new ControlPacket(opcode, OpcodeByte.KeyIdOf(plain[0]), sessionId, acks, peerSessionId,
            hasMessageId, messageId, plain[offset..]);
        return ControlParseResult.Ok;
    }

    /// <summary>Bytes <see cref="TryWrite"/> needs for these fields.</summary>
    public static int SizeOf(Opcode opcode, int ackCount, int payloadLength) =>
        MinimumSize + (ackCount > 0 ? ackCount * 4 + SessionIdSize : 0) + (opcode == Opcode.AckV1 ? 0 : 4 + payloadLength);

    /// <summary>
    /// Writes the plain layout. <paramref name="messageId"/> and <paramref name="payload"/> are ignored for P_ACK_V1;
    /// <paramref name="peerSessionId"/> is written only when there are ACKs. False if <paramref name="destination"/> is too small.
    /// </summary>
    public static bool TryWrite(Span<byte> destination, Opcode opcode, int keyId, ulong sessionId,
        ReadOnlySpan<uint> acks, ulong peerSessionId, uint messageId, ReadOnlySpan<byte> payload, out int written)
    {
        if (!OpcodeByte.IsControl(opcode))
        {
            throw new ArgumentException($"{opcode} is not a control opcode", nameof(opcode));
        }
        if (acks.Length > MaxAcks)
        {
            throw new ArgumentException($"at most {MaxAcks} ACKs fit a control packet, got {acks.Length}", nameof(acks));
        }
        written = 0;
        int size = SizeOf(opcode, acks.Length, payload.Length);
        if (destination.Length < size)
        {
            return false;
        }
        destination[0] = OpcodeByte.Compose(opcode, keyId);
        BinaryPrimitives.WriteUInt64BigEndian(destination[1..], sessionId);
        destination[1 + SessionIdSize] = (byte)acks.Length;
        int offset = MinimumSize;
        if (acks.Length > 0)
        {
            foreach (uint id in acks)
            {
                BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], id);
                offset += 4;
            }
            BinaryPrimitives.WriteUInt64BigEndian(destination[offset..], peerSessionId);
            offset += SessionIdSize;
        }
        if (opcode != Opcode.AckV1)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], messageId);
            offset += 4;
            payload.CopyTo(destination[offset..]);
            offset += payload.Length;
        }
        written = offset;
        return true;
    }
}

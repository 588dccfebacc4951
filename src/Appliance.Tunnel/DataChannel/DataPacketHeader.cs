using System.Buffers.Binary;
using Appliance.Tunnel.Control.Wire;

namespace Appliance.Tunnel.DataChannel;

/// <summary>
/// AEAD data packet layouts (crypto.c, ssl.c): P_DATA_V2 = <c>[0x48|kid][peer-id 3][pid 4][tag 16][ciphertext]</c>,
/// AAD = the first 8 bytes; P_DATA_V1 = <c>[0x30|kid][pid 4][tag 16][ciphertext]</c>, AAD = the packet id.
/// </summary>
public static class DataPacketHeader
{
    public const int TagSize = 16;
    /// <summary>Bytes before the ciphertext in P_DATA_V2 (opcode, peer-id, packet id, tag): the headroom a sender leaves.</summary>
    public const int OverheadV2 = 4 + 4 + TagSize;
    /// <summary>Bytes before the ciphertext in P_DATA_V1.</summary>
    public const int OverheadV1 = 1 + 4 + TagSize;
    /// <summary>Peer-ids are 24 bits; 2.6 treats this value as "none".</summary>
    public const uint NoPeerId = 0xFFFFFF;

    /// <summary>Reads the 24-bit peer-id of a P_DATA_V2 packet, for session lookup before decryption.</summary>
    public static bool TryReadPeerId(ReadOnlySpan<byte> packet, out uint peerId)
    {
        peerId = 0;
        if (packet.Length < 4 || OpcodeByte.OpcodeOf(packet[0]) != Opcode.DataV2)
        {
            return false;
        }
        peerId = BinaryPrimitives.ReadUInt32BigEndian(packet) & 0xFFFFFF;
        return true;
    }
}

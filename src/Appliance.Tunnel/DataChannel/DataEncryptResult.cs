namespace Appliance.Tunnel.DataChannel;

/// <summary>Outcome of <see cref="DataChannelCrypto"/> encryption.</summary>
public enum DataEncryptResult : byte
{
    Ok = 0,
    /// <summary>The buffer has no room for header, tag and payload (a caller bug).</summary>
    BufferTooSmall,
    /// <summary>OpenVPN never sends an empty data payload.</summary>
    EmptyPayload,
    /// <summary>The send packet id reached 2³²−1: the key must not be used again (renegotiate).</summary>
    PacketIdExhausted,
}

namespace Appliance.Tunnel.DataChannel;

/// <summary>One live data-channel key as carried from one process to the next (<see cref="DataChannelCrypto.Export"/>):
/// secret key material, so it travels in memory only (a sealed memfd), never to disk or a log.</summary>
/// <param name="LastSentPacketId">The next process sends from the id after this one (already advanced by a margin).</param>
public sealed record DataKeyState(
    DataCipher Cipher,
    int KeyId,
    uint PeerId,
    byte[] SendKey,
    byte[] SendIv,
    byte[] ReceiveKey,
    byte[] ReceiveIv,
    uint LastSentPacketId,
    uint ReplayHighest,
    ulong ReplaySeen)
{
    public override string ToString() => $"{DataCiphers.Name(Cipher)} key-id {KeyId} (key material not shown)";
}

namespace Appliance.Tunnel.Control.Reliability;

/// <summary>A reliable message due for (re)transmission.</summary>
/// <param name="MessageId">The id on the wire; a retransmission reuses it (with a fresh replay id and wrap).</param>
/// <param name="Kind">Reset or control, for the codec's opcode.</param>
/// <param name="Payload">Bytes after the message id; kept by the sender until acknowledged, never modified.</param>
/// <param name="Attempt">1 for the first transmission, 2 for the first retransmission, and so on.</param>
public readonly record struct OutgoingMessage(uint MessageId, ReliableMessageKind Kind, ReadOnlyMemory<byte> Payload, int Attempt)
{
    public bool IsRetransmission => Attempt > 1;
}

namespace Appliance.Tunnel.Control.Reliability;

/// <summary>The receive half of one key state's reliability layer: a window of slots from the next expected id, delivering in order.</summary>
/// <remarks>
/// Not thread-safe: owned by one key state's loop. Payloads are copied on arrival (the caller's packet buffer is
/// reused), so memory is bounded by window × <see cref="ReliabilityOptions.MaxPayloadLength"/>.
/// </remarks>
public sealed class ReliableReceiver
{
    private readonly byte[]?[] _slots;
    private readonly int _maxPayloadLength;
    private uint _nextExpected;
    private int _buffered;

    public ReliableReceiver(int window = 12, int maxPayloadLength = 1600)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPayloadLength, 1);
        _slots = new byte[]?[window];
        _maxPayloadLength = maxPayloadLength;
    }

    /// <summary>The lowest id not yet delivered.</summary>
    public uint NextExpected => _nextExpected;

    /// <summary>Packets held in the window, waiting for a gap to fill or to be taken.</summary>
    public int BufferedCount => _buffered;

    public int Window => _slots.Length;

    /// <summary>Offers a packet; the outcome says whether to acknowledge it.</summary>
    public ReceiveOutcome Receive(uint messageId, ReadOnlySpan<byte> payload)
    {
        int distance = MessageIds.Distance(_nextExpected, messageId);
        if (distance < 0)
            return ReceiveOutcome.Duplicate;
        if (distance >= _slots.Length)
            return ReceiveOutcome.BeyondWindow;
        if (payload.Length > _maxPayloadLength)
            return ReceiveOutcome.TooLarge;
        ref byte[]? slot = ref _slots[messageId % (uint)_slots.Length];
        if (slot is not null)
            return ReceiveOutcome.Duplicate;
        slot = payload.Length == 0 ? [] : payload.ToArray();
        _buffered++;
        return ReceiveOutcome.Accepted;
    }

    /// <summary>Takes the payload of <see cref="NextExpected"/> if it has arrived, and moves the window on.</summary>
    /// <remarks>An empty payload (a reset packet) is delivered too, as an empty memory.</remarks>
    public bool TryTakeNext(out ReadOnlyMemory<byte> payload)
    {
        ref byte[]? slot = ref _slots[_nextExpected % (uint)_slots.Length];
        if (slot is null)
        {
            payload = default;
            return false;
        }
        payload = slot;
        slot = null;
        _buffered--;
        _nextExpected++;
        return true;
    }
}

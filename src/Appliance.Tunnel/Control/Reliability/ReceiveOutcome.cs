namespace Appliance.Tunnel.Control.Reliability;

/// <summary>What the receive window did with one incoming message id.</summary>
public enum ReceiveOutcome : byte
{
    /// <summary>New and inside the window: kept for in-order delivery and to be acknowledged.</summary>
    Accepted,
    /// <summary>Already delivered or already buffered: dropped, but acknowledged again (the peer lost our ACK).</summary>
    Duplicate,
    /// <summary>At or past next-expected + window: dropped and not acknowledged, so the peer sends it again later.</summary>
    BeyondWindow,
    /// <summary>Payload longer than the configured maximum: dropped and not acknowledged.</summary>
    TooLarge,
}

/// <summary>Traits of <see cref="ReceiveOutcome"/>.</summary>
public static class ReceiveOutcomes
{
    /// <summary>True when the id must be (re-)acknowledged: every packet inside or below the window, duplicates included.</summary>
    public static bool ShouldAcknowledge(this ReceiveOutcome outcome) =>
        outcome is ReceiveOutcome.Accepted or ReceiveOutcome.Duplicate;
}

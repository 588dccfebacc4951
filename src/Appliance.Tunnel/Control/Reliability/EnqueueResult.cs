namespace Appliance.Tunnel.Control.Reliability;

/// <summary>Whether the sender took a message.</summary>
public enum EnqueueResult : byte
{
    /// <summary>Queued; it gets the next message id and is sent when the window has room.</summary>
    Queued,
    /// <summary>The window and backlog are full; try again after ACKs arrive (back-pressure, nothing was queued).</summary>
    QueueFull,
    /// <summary>Payload longer than the configured maximum; nothing was queued.</summary>
    TooLarge,
}

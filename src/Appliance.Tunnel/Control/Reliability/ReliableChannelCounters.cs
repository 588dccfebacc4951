namespace Appliance.Tunnel.Control.Reliability;

/// <summary>A snapshot of one reliable channel's counters.</summary>
public readonly record struct ReliableChannelCounters(
    long PacketsReceived,
    long Duplicates,
    long BeyondWindow,
    long TooLarge,
    long AcksReceived,
    long PacketsSent,
    long Retransmissions,
    long PureAcksSent,
    long AcksDropped);

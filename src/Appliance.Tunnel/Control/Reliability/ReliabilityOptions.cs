namespace Appliance.Tunnel.Control.Reliability;

/// <summary>Sizes and timers of the control channel's reliability layer; the defaults are OpenVPN 2.6's.</summary>
public sealed record ReliabilityOptions
{
    /// <summary>The protocol's limit on ACK ids in one packet: OpenVPN rejects a block with more.</summary>
    public const int ProtocolMaxAcks = 8;

    public static ReliabilityOptions Default { get; } = new();

    /// <summary>Span of message ids that may be unacknowledged at once (2.6 sends with 6).</summary>
    public int SendWindow { get; init; } = 6;

    /// <summary>Slots from the next expected id in which out-of-order packets are kept (2.6 receives with 12).</summary>
    public int ReceiveWindow { get; init; } = 12;

    /// <summary>Messages waiting for room in the send window; a full backlog pushes back on the writer.</summary>
    public int SendBacklog { get; init; } = 16;

    /// <summary>First retransmit timeout (2.6 <c>--tls-timeout</c>, 2 s); doubled after every send.</summary>
    public TimeSpan InitialRetransmitTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Ceiling for the doubled timeout; the handshake window ends a stuck negotiation long before.</summary>
    public TimeSpan MaxRetransmitTimeout { get; init; } = TimeSpan.FromSeconds(64);

    /// <summary>A packet is resent at once when this many later ids were acknowledged since it was last sent.</summary>
    public int EarlyResendAfterLaterAcks { get; init; } = 3;

    /// <summary>ACK ids piggy-backed on a control packet carrying a message id (2.6: 4).</summary>
    public int MaxPiggybackAcks { get; init; } = 4;

    /// <summary>ACK ids in a pure ACK packet (protocol maximum 8).</summary>
    public int MaxPureAcks { get; init; } = ProtocolMaxAcks;

    /// <summary>Recently sent ACK ids kept, most recent first, and sent again to survive the loss of an ACK (2.6: 8).</summary>
    public int RecentAckCapacity { get; init; } = 8;

    /// <summary>ACKs owed but not yet sent; when full, a new one is dropped and the peer's retransmit earns it again.</summary>
    public int PendingAckCapacity { get; init; } = 24;

    /// <summary>Largest payload accepted from the peer; 2.6's receive buffer is about 1600 bytes.</summary>
    public int MaxPayloadLength { get; init; } = 1600;

    /// <summary>Time from the key state's creation within which TLS and the key exchange must finish (2.6 <c>--hand-window</c>).</summary>
    public TimeSpan HandshakeWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Every problem with these settings, or none.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (SendWindow is < 1 or > 64)
            errors.Add($"SendWindow: {SendWindow} is outside 1..64");
        if (ReceiveWindow is < 1 or > 64)
            errors.Add($"ReceiveWindow: {ReceiveWindow} is outside 1..64");
        if (SendBacklog < 0)
            errors.Add($"SendBacklog: {SendBacklog} must not be negative");
        if (InitialRetransmitTimeout <= TimeSpan.Zero)
            errors.Add($"InitialRetransmitTimeout: {InitialRetransmitTimeout} must be positive");
        if (MaxRetransmitTimeout < InitialRetransmitTimeout)
            errors.Add($"MaxRetransmitTimeout: {MaxRetransmitTimeout} is below InitialRetransmitTimeout {InitialRetransmitTimeout}");
        if (EarlyResendAfterLaterAcks < 1)
            errors.Add($"EarlyResendAfterLaterAcks: {EarlyResendAfterLaterAcks} must be at least 1");
        if (MaxPiggybackAcks is < 0 or > ProtocolMaxAcks)
            errors.Add($"MaxPiggybackAcks: {MaxPiggybackAcks} is outside 0..{ProtocolMaxAcks}");
        if (MaxPureAcks is < 1 or > ProtocolMaxAcks)
            errors.Add($"MaxPureAcks: {MaxPureAcks} is outside 1..{ProtocolMaxAcks}");
        if (RecentAckCapacity is < 0 or > 64)
            errors.Add($"RecentAckCapacity: {RecentAckCapacity} is outside 0..64");
        if (PendingAckCapacity < 1)
            errors.Add($"PendingAckCapacity: {PendingAckCapacity} must be at least 1");
        if (MaxPayloadLength < 1)
            errors.Add($"MaxPayloadLength: {MaxPayloadLength} must be at least 1");
        if (HandshakeWindow <= TimeSpan.Zero)
            errors.Add($"HandshakeWindow: {HandshakeWindow} must be positive");
        return errors;
    }

    internal void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
            throw new ArgumentException("invalid reliability options: " + string.Join("; ", errors));
    }
}

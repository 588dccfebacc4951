namespace Appliance.Tunnel.Diagnostics;

/// <summary>One end of one PPP control protocol: what it sent and what came back to it.</summary>
public sealed record NegotiatorView
{
    /// <summary>The protocol's state from this end's perspective.</summary>
    public PppNegotiationState State { get; init; }
    public long ConfigureRequests { get; init; }
    /// <summary>Configure-Requests that repeated the previous, still unanswered identifier.</summary>
    public long Retransmissions { get; init; }
    /// <summary>Identifier of the latest Configure-Request of the current negotiation; null when none.</summary>
    public byte? LastRequestIdentifier { get; init; }
    public DateTimeOffset? FirstRequestAt { get; init; }
    public DateTimeOffset? LastRequestAt { get; init; }
    /// <summary>Configure-Requests since the other end last answered one (Ack, Nak or Reject with a matching identifier).</summary>
    public long UnansweredRequests { get; init; }
    public DateTimeOffset? FirstUnansweredRequestAt { get; init; }
    /// <summary>True when the other end acknowledged this end's latest Configure-Request with the same identifier.</summary>
    public bool RequestAcked { get; init; }
    public DateTimeOffset? AckedAt { get; init; }
    public long AcksReceived { get; init; }
    public long NaksReceived { get; init; }
    public long RejectsReceived { get; init; }
    /// <summary>Replies to this end whose identifier matched no outstanding request.</summary>
    public long UnmatchedReplies { get; init; }
    public long TerminateRequests { get; init; }
    public bool TerminateAcked { get; init; }
    public DateTimeOffset? TerminateRequestAt { get; init; }
    /// <summary>LCP Echo-Requests this end sent (RFC 1661 §5.8).</summary>
    public long EchoRequests { get; init; }
    public long EchoRepliesReceived { get; init; }
    /// <summary>Echo-Requests since the other end last replied.</summary>
    public long UnansweredEchoes { get; init; }
    public DateTimeOffset? FirstUnansweredEchoAt { get; init; }
    public DateTimeOffset? LastEchoRequestAt { get; init; }
    public DateTimeOffset? LastEchoReplyAt { get; init; }
    /// <summary>Code-Rejects and Protocol-Rejects this end sent.</summary>
    public long RejectsSent { get; init; }

    public static NegotiatorView Empty { get; } = new();
}

namespace Appliance.Tunnel.Diagnostics;

/// <summary>What one end of one PPP control protocol sent, and what came back to it. Not thread-safe: guarded by the tracker's lock.</summary>
internal sealed class NegotiatorState
{
    private const int NoIdentifier = -1;

    public long ConfigureRequests;
    /// <summary>Configure-Requests that repeated the previous, still unanswered, identifier.</summary>
    public long Retransmissions;
    public int LastRequestIdentifier = NoIdentifier;
    public long FirstRequestAt = SnapshotClock.Never;
    public long LastRequestAt = SnapshotClock.Never;
    /// <summary>Configure-Requests since the last Ack, Nak or Reject that matched one (RFC 1661 §5.2: by identifier).</summary>
    public long UnansweredRequests;
    public long FirstUnansweredRequestAt = SnapshotClock.Never;
    /// <summary>True once an Ack with the identifier of the latest Configure-Request came back.</summary>
    public bool RequestAcked;
    public long AckedAt = SnapshotClock.Never;
    public long AcksReceived;
    public long NaksReceived;
    public long RejectsReceived;
    /// <summary>Acks, Naks and Rejects whose identifier matched no outstanding request (RFC 1661 silently discards them).</summary>
    public long UnmatchedReplies;

    public long TerminateRequests;
    public bool TerminateAcked;
    public long TerminateRequestAt = SnapshotClock.Never;

    public long EchoRequests;
    public long EchoRepliesReceived;
    /// <summary>Echo-Requests since the last Echo-Reply came back.</summary>
    public long UnansweredEchoes;
    public long FirstUnansweredEchoAt = SnapshotClock.Never;
    public long LastEchoRequestAt = SnapshotClock.Never;
    public long LastEchoReplyAt = SnapshotClock.Never;

    /// <summary>Code-Rejects and Protocol-Rejects this end sent.</summary>
    public long RejectsSent;

    public bool HasOutstandingRequest => LastRequestIdentifier != NoIdentifier && !RequestAcked;

    public void OnConfigureRequest(byte identifier, long timestamp)
    {
        ConfigureRequests++;
        if (FirstRequestAt == SnapshotClock.Never)
            FirstRequestAt = timestamp;
        if (UnansweredRequests > 0 && identifier == LastRequestIdentifier)
            Retransmissions++;
        if (UnansweredRequests == 0)
            FirstUnansweredRequestAt = timestamp;
        UnansweredRequests++;
        LastRequestIdentifier = identifier;
        LastRequestAt = timestamp;
        // A new request supersedes any earlier agreement (RFC 1661 §4.3, event RCR in Opened).
        RequestAcked = false;
    }

    /// <summary>The other end answered a Configure-Request: true when the identifier matched this end's latest.</summary>
    public bool OnReply(byte identifier, Frames.PppControlCode code, long timestamp)
    {
        if (LastRequestIdentifier == NoIdentifier || identifier != LastRequestIdentifier)
        {
            UnmatchedReplies++;
            return false;
        }
        UnansweredRequests = 0;
        FirstUnansweredRequestAt = SnapshotClock.Never;
        switch (code)
        {
            case Frames.PppControlCode.ConfigureAck:
                AcksReceived++;
                RequestAcked = true;
                AckedAt = timestamp;
                break;
            case Frames.PppControlCode.ConfigureNak:
                NaksReceived++;
                break;
            default:
                RejectsReceived++;
                break;
        }
        return true;
    }

    public void OnEchoRequest(long timestamp)
    {
        EchoRequests++;
        if (UnansweredEchoes == 0)
            FirstUnansweredEchoAt = timestamp;
        UnansweredEchoes++;
        LastEchoRequestAt = timestamp;
    }

    public void OnEchoReply(long timestamp)
    {
        EchoRepliesReceived++;
        UnansweredEchoes = 0;
        FirstUnansweredEchoAt = SnapshotClock.Never;
        LastEchoReplyAt = timestamp;
    }

    public void OnTerminateRequest(long timestamp)
    {
        TerminateRequests++;
        TerminateAcked = false;
        TerminateRequestAt = timestamp;
    }

    /// <summary>Back to a fresh end, for a new dial-up attempt, without allocating.</summary>
    public void Reset()
    {
        ConfigureRequests = 0;
        Retransmissions = 0;
        LastRequestIdentifier = NoIdentifier;
        FirstRequestAt = SnapshotClock.Never;
        LastRequestAt = SnapshotClock.Never;
        UnansweredRequests = 0;
        FirstUnansweredRequestAt = SnapshotClock.Never;
        RequestAcked = false;
        AckedAt = SnapshotClock.Never;
        AcksReceived = 0;
        NaksReceived = 0;
        RejectsReceived = 0;
        UnmatchedReplies = 0;
        TerminateRequests = 0;
        TerminateAcked = false;
        TerminateRequestAt = SnapshotClock.Never;
        EchoRequests = 0;
        EchoRepliesReceived = 0;
        UnansweredEchoes = 0;
        FirstUnansweredEchoAt = SnapshotClock.Never;
        LastEchoRequestAt = SnapshotClock.Never;
        LastEchoReplyAt = SnapshotClock.Never;
        RejectsSent = 0;
    }

    /// <summary>The layer went down: agreements end; counts stay, unanswered requests too (they explain the end).</summary>
    public void Forget()
    {
        RequestAcked = false;
        LastRequestIdentifier = NoIdentifier;
    }

    public NegotiatorView ToView(in SnapshotClock clock, PppNegotiationState state) => new()
    {
        State = state,
        ConfigureRequests = ConfigureRequests,
        Retransmissions = Retransmissions,
        LastRequestIdentifier = LastRequestIdentifier == NoIdentifier ? null : (byte)LastRequestIdentifier,
        FirstRequestAt = clock.At(FirstRequestAt),
        LastRequestAt = clock.At(LastRequestAt),
        UnansweredRequests = UnansweredRequests,
        FirstUnansweredRequestAt = clock.At(FirstUnansweredRequestAt),
        RequestAcked = RequestAcked,
        AckedAt = clock.At(AckedAt),
        AcksReceived = AcksReceived,
        NaksReceived = NaksReceived,
        RejectsReceived = RejectsReceived,
        UnmatchedReplies = UnmatchedReplies,
        TerminateRequests = TerminateRequests,
        TerminateAcked = TerminateAcked,
        TerminateRequestAt = clock.At(TerminateRequestAt),
        EchoRequests = EchoRequests,
        EchoRepliesReceived = EchoRepliesReceived,
        UnansweredEchoes = UnansweredEchoes,
        FirstUnansweredEchoAt = clock.At(FirstUnansweredEchoAt),
        LastEchoRequestAt = clock.At(LastEchoRequestAt),
        LastEchoReplyAt = clock.At(LastEchoReplyAt),
        RejectsSent = RejectsSent,
    };
}

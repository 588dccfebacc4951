using Appliance.Tunnel.Frames;

namespace Appliance.Tunnel.Diagnostics;

/// <summary>Both ends of one PPP control protocol (LCP, IPCP or IPv6CP). Not thread-safe: guarded by the tracker's lock.</summary>
internal sealed class ControlProtocolState
{
    private readonly NegotiatorState _client = new();
    private readonly NegotiatorState _isp = new();
    private bool _opened;
    private bool _closed;
    private bool _terminating;
    private SessionSide _terminatedBy;
    private long _openedAt = SnapshotClock.Never;
    private long _closedAt = SnapshotClock.Never;
    private long _timesOpened;
    private long _renegotiations;
    private long _discards;
    private SessionSide _refusedBy;

    public ControlProtocolState(PppProtocol protocol) => Protocol = protocol;

    public PppProtocol Protocol { get; }

    public bool IsOpened => _opened;

    /// <summary>An end answered this protocol with an LCP Protocol-Reject (RFC 1661 §5.7): it does not run it at all.</summary>
    public void Refuse(SessionSide by) => _refusedBy = by;

    /// <summary>Applies one control packet; returns true when it took the protocol out of Opened.</summary>
    public bool OnPacket(SessionSide from, byte code, byte identifier, long timestamp)
    {
        var sender = from == SessionSide.Client ? _client : _isp;
        var receiver = from == SessionSide.Client ? _isp : _client;
        bool wasOpened = _opened;
        switch ((PppControlCode)code)
        {
            case PppControlCode.ConfigureRequest:
                // RFC 1661 §4.3: a Configure-Request in Opened restarts negotiation on both ends (This-Layer-Down).
                if (_opened)
                {
                    _renegotiations++;
                    _opened = false;
                    receiver.RequestAcked = false;
                }
                _closed = false;
                _terminating = false;
                _terminatedBy = 0;
                sender.OnConfigureRequest(identifier, timestamp);
                break;
            case PppControlCode.ConfigureAck:
            case PppControlCode.ConfigureNak:
            case PppControlCode.ConfigureReject:
                receiver.OnReply(identifier, (PppControlCode)code, timestamp);
                if (!_opened && !_closed && !_terminating && _client.RequestAcked && _isp.RequestAcked)
                {
                    _opened = true;
                    _openedAt = timestamp;
                    _timesOpened++;
                }
                break;
            case PppControlCode.TerminateRequest:
                sender.OnTerminateRequest(timestamp);
                if (!_terminating && !_closed)
                {
                    _terminating = true;
                    _terminatedBy = from;
                }
                _opened = false;
                break;
            case PppControlCode.TerminateAck:
                if (receiver.TerminateRequests > 0)
                    receiver.TerminateAcked = true;
                Close(timestamp);
                break;
            case PppControlCode.CodeReject:
            case PppControlCode.ProtocolReject:
                sender.RejectsSent++;
                break;
            case PppControlCode.EchoRequest:
                sender.OnEchoRequest(timestamp);
                break;
            case PppControlCode.EchoReply:
                receiver.OnEchoReply(timestamp);
                break;
            default:
                _discards++;
                break;
        }
        return wasOpened && !_opened;
    }

    /// <summary>Back to a fresh protocol, for a new dial-up attempt, without allocating.</summary>
    public void Reset()
    {
        _client.Reset();
        _isp.Reset();
        _opened = false;
        _closed = false;
        _terminating = false;
        _terminatedBy = 0;
        _openedAt = SnapshotClock.Never;
        _closedAt = SnapshotClock.Never;
        _timesOpened = 0;
        _renegotiations = 0;
        _discards = 0;
        _refusedBy = 0;
    }

    /// <summary>The layer below went down (LCP left Opened, PADT): the protocol is closed, its counts stay.</summary>
    public void Close(long timestamp)
    {
        if (!_closed)
            _closedAt = timestamp;
        _opened = false;
        _closed = true;
        _terminating = false;
        _client.Forget();
        _isp.Forget();
    }

    private PppNegotiationState StateOf(NegotiatorState self, NegotiatorState other)
    {
        if (_closed)
            return self.ConfigureRequests == 0 && other.ConfigureRequests == 0 ? PppNegotiationState.Initial : PppNegotiationState.Closed;
        if (_terminating)
            return PppNegotiationState.Closing;
        if (_opened)
            return PppNegotiationState.Opened;
        if (self.RequestAcked)
            return PppNegotiationState.AckReceived;
        // The other end's request acknowledged means this end sent the Ack.
        if (other.RequestAcked)
            return PppNegotiationState.AckSent;
        return self.HasOutstandingRequest ? PppNegotiationState.RequestSent : PppNegotiationState.Initial;
    }

    public ControlProtocolView ToView(in SnapshotClock clock) => new()
    {
        Protocol = Protocol,
        IsOpened = _opened,
        TimesOpened = _timesOpened,
        OpenedAt = clock.At(_openedAt),
        ClosedAt = clock.At(_closedAt),
        Renegotiations = _renegotiations,
        TerminatedBy = _terminatedBy == 0 ? null : _terminatedBy,
        DiscardedPackets = _discards,
        RefusedBy = _refusedBy == 0 ? null : _refusedBy,
        Client = _client.ToView(clock, StateOf(_client, _isp)),
        Isp = _isp.ToView(clock, StateOf(_isp, _client)),
    };
}

using Appliance.Tunnel.Frames;

namespace Appliance.Tunnel.Diagnostics;

/// <summary>The client's authentication to the ISP, from PAP (RFC 1334) and CHAP (RFC 1994) codes alone.</summary>
/// <remarks>Not thread-safe: guarded by the tracker's lock. Only the code byte is used: a PAP or CHAP body can
/// hold a user name, a password or a hash, and is never read.</remarks>
internal sealed class AuthenticationState
{
    private const byte PapAuthenticateRequest = 1;
    private const byte PapAuthenticateAck = 2;
    private const byte PapAuthenticateNak = 3;
    private const byte ChapChallenge = 1;
    private const byte ChapResponse = 2;
    private const byte ChapSuccess = 3;
    private const byte ChapFailure = 4;

    private PppProtocol _protocol;
    private AuthenticationOutcome _outcome;
    private long _requests;
    private long _challenges;
    private long _successes;
    private long _failures;
    private long _reversePackets;
    private long _firstRequestAt = SnapshotClock.Never;
    private long _outcomeAt = SnapshotClock.Never;
    private long _failedAttempts;
    private PppProtocol _failedProtocol;

    /// <summary>Back to no authentication seen, for a new dial-up attempt, without allocating. A failed attempt is remembered
    /// (<see cref="AuthenticationView.FailedAttempts"/>) until one succeeds: a client redialling with the same wrong password must
    /// not make the finding come and go with each attempt.</summary>
    public void Reset()
    {
        if (_outcome == AuthenticationOutcome.Failed)
        {
            _failedAttempts++;
            _failedProtocol = _protocol;
        }
        _protocol = PppProtocol.None;
        _outcome = AuthenticationOutcome.None;
        _requests = 0;
        _challenges = 0;
        _successes = 0;
        _failures = 0;
        _reversePackets = 0;
        _firstRequestAt = SnapshotClock.Never;
        _outcomeAt = SnapshotClock.Never;
    }

    public void OnPacket(PppProtocol protocol, SessionSide from, byte code, long timestamp)
    {
        // Which end speaks which code is fixed (the client authenticates to the ISP); the other way round is
        // the client asking the ISP to authenticate, which this view does not follow.
        bool expected = protocol == PppProtocol.Pap
            ? (code == PapAuthenticateRequest) == (from == SessionSide.Client)
            : (code == ChapResponse) == (from == SessionSide.Client);
        if (!expected)
        {
            _reversePackets++;
            return;
        }
        _protocol = protocol;
        switch (protocol, code)
        {
            case (PppProtocol.Pap, PapAuthenticateRequest):
            case (PppProtocol.Chap, ChapResponse):
                _requests++;
                if (_firstRequestAt == SnapshotClock.Never)
                    _firstRequestAt = timestamp;
                if (_outcome != AuthenticationOutcome.Succeeded)
                    _outcome = AuthenticationOutcome.Pending;
                break;
            case (PppProtocol.Chap, ChapChallenge):
                _challenges++;
                if (_outcome == AuthenticationOutcome.None)
                    _outcome = AuthenticationOutcome.Pending;
                break;
            case (PppProtocol.Pap, PapAuthenticateAck):
            case (PppProtocol.Chap, ChapSuccess):
                _successes++;
                _failedAttempts = 0;
                _outcome = AuthenticationOutcome.Succeeded;
                _outcomeAt = timestamp;
                break;
            case (PppProtocol.Pap, PapAuthenticateNak):
            case (PppProtocol.Chap, ChapFailure):
                _failures++;
                _outcome = AuthenticationOutcome.Failed;
                _outcomeAt = timestamp;
                break;
            default:
                _reversePackets++;
                break;
        }
    }

    public AuthenticationView ToView(in SnapshotClock clock) => new()
    {
        Protocol = _protocol,
        Outcome = _outcome,
        Requests = _requests,
        Challenges = _challenges,
        Successes = _successes,
        Failures = _failures,
        OtherPackets = _reversePackets,
        FirstRequestAt = clock.At(_firstRequestAt),
        OutcomeAt = clock.At(_outcomeAt),
        FailedAttempts = _failedAttempts,
        FailedProtocol = _failedProtocol,
    };
}

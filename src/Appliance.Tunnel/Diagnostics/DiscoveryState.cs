using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;

namespace Appliance.Tunnel.Diagnostics;

/// <summary>PPPoE discovery of one attempt (RFC 2516 §5). Not thread-safe: guarded by the tracker's lock.</summary>
internal sealed class DiscoveryState
{
    public PppoeDiscoveryState State;
    public MacAddress? ClientMac;
    public MacAddress? AccessConcentratorMac;
    public ushort? SessionId;
    public bool JoinedMidSession;
    public long Padi;
    public long Pado;
    public long Padr;
    public long Pads;
    public long Padt;
    public long Padm;
    public long Unexpected;
    public PppoeErrorTags OfferErrors;
    public PppoeErrorTags SessionErrors;
    public long FirstPadiAt = SnapshotClock.Never;
    public long LastPadiAt = SnapshotClock.Never;
    public long FirstPadoAt = SnapshotClock.Never;
    public long FirstPadrAt = SnapshotClock.Never;
    public long LastPadrAt = SnapshotClock.Never;
    public long SessionAt = SnapshotClock.Never;
    public long TerminatedAt = SnapshotClock.Never;
    public SessionSide? TerminatedBy;

    /// <summary>Back to Idle for a new dial-up attempt, without allocating.</summary>
    public void Reset()
    {
        State = PppoeDiscoveryState.Idle;
        ClientMac = null;
        AccessConcentratorMac = null;
        SessionId = null;
        JoinedMidSession = false;
        Padi = 0;
        Pado = 0;
        Padr = 0;
        Pads = 0;
        Padt = 0;
        Padm = 0;
        Unexpected = 0;
        OfferErrors = PppoeErrorTags.None;
        SessionErrors = PppoeErrorTags.None;
        FirstPadiAt = SnapshotClock.Never;
        LastPadiAt = SnapshotClock.Never;
        FirstPadoAt = SnapshotClock.Never;
        FirstPadrAt = SnapshotClock.Never;
        LastPadrAt = SnapshotClock.Never;
        SessionAt = SnapshotClock.Never;
        TerminatedAt = SnapshotClock.Never;
        TerminatedBy = null;
    }

    /// <summary>True when this PADI starts a new attempt (after a session, a refusal or a termination).</summary>
    public static bool StartsNewAttempt(PppoeDiscoveryState state) =>
        state is PppoeDiscoveryState.Session or PppoeDiscoveryState.Terminated or PppoeDiscoveryState.Refused;

    /// <summary>Applies one discovery frame; returns true when it ended the session (PADT).</summary>
    public bool OnFrame(ReadOnlySpan<byte> frame, in FrameClass info, SessionSide from, long timestamp)
    {
        var source = MacAddress.Read(frame[6..]);
        switch (info.PppoeCode)
        {
            case PppoeDiscoveryCode.Padi when from == SessionSide.Client:
                Padi++;
                ClientMac = source;
                if (FirstPadiAt == SnapshotClock.Never)
                    FirstPadiAt = timestamp;
                LastPadiAt = timestamp;
                State = PppoeDiscoveryState.PadiSent;
                return false;
            case PppoeDiscoveryCode.Pado when from == SessionSide.Isp:
                Pado++;
                OfferErrors |= PppoeTags.ReadErrors(frame, info);
                AccessConcentratorMac ??= source;
                if (FirstPadoAt == SnapshotClock.Never)
                    FirstPadoAt = timestamp;
                if (State < PppoeDiscoveryState.PadoReceived)
                    State = PppoeDiscoveryState.PadoReceived;
                return false;
            case PppoeDiscoveryCode.Padr when from == SessionSide.Client:
                Padr++;
                ClientMac = source;
                // RFC 2516 §5.3: the PADR goes unicast to the access concentrator the client chose.
                AccessConcentratorMac = MacAddress.Read(frame);
                if (FirstPadrAt == SnapshotClock.Never)
                    FirstPadrAt = timestamp;
                LastPadrAt = timestamp;
                if (State < PppoeDiscoveryState.PadrSent)
                    State = PppoeDiscoveryState.PadrSent;
                return false;
            case PppoeDiscoveryCode.Pads when from == SessionSide.Isp:
                Pads++;
                var errors = PppoeTags.ReadErrors(frame, info);
                // RFC 2516 §5.4: a refused PADR is answered by a PADS with session id 0 and an error tag.
                if (info.PppoeSessionId == 0 || errors != PppoeErrorTags.None)
                {
                    SessionErrors |= errors == PppoeErrorTags.None ? PppoeErrorTags.GenericError : errors;
                    State = PppoeDiscoveryState.Refused;
                    return false;
                }
                SessionId = info.PppoeSessionId;
                AccessConcentratorMac = source;
                SessionAt = timestamp;
                State = PppoeDiscoveryState.Session;
                return false;
            case PppoeDiscoveryCode.Padt:
                Padt++;
                if (SessionId is { } id && info.PppoeSessionId != id)
                    return false;
                if (State != PppoeDiscoveryState.Terminated)
                {
                    TerminatedAt = timestamp;
                    TerminatedBy = from;
                }
                State = PppoeDiscoveryState.Terminated;
                return true;
            case PppoeDiscoveryCode.Padm when from == SessionSide.Isp:
                Padm++;
                return false;
            default:
                Unexpected++;
                return false;
        }
    }

    /// <summary>A session frame while no PADS was seen: the tracker started mid-session; adopt its id.</summary>
    public void JoinSession(ushort sessionId, long timestamp)
    {
        SessionId = sessionId;
        SessionAt = timestamp;
        JoinedMidSession = true;
        State = PppoeDiscoveryState.Session;
    }

    public PppoeDiscoveryView ToView(in SnapshotClock clock, long attempts) => new()
    {
        State = State,
        Attempts = attempts,
        ClientMac = ClientMac,
        AccessConcentratorMac = AccessConcentratorMac,
        SessionId = SessionId,
        JoinedMidSession = JoinedMidSession,
        Padi = Padi,
        Pado = Pado,
        Padr = Padr,
        Pads = Pads,
        Padt = Padt,
        Padm = Padm,
        UnexpectedFrames = Unexpected,
        OfferErrors = OfferErrors,
        SessionErrors = SessionErrors,
        FirstPadiAt = clock.At(FirstPadiAt),
        LastPadiAt = clock.At(LastPadiAt),
        FirstPadoAt = clock.At(FirstPadoAt),
        FirstPadrAt = clock.At(FirstPadrAt),
        LastPadrAt = clock.At(LastPadrAt),
        SessionAt = clock.At(SessionAt),
        TerminatedAt = clock.At(TerminatedAt),
        TerminatedBy = TerminatedBy,
    };
}

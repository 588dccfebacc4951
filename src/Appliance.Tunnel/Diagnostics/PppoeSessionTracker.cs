using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;

namespace Appliance.Tunnel.Diagnostics;

/// <summary>Follows one client's PPPoE session on its switch port: discovery, LCP, authentication, IPCP, IPv6CP, traffic.</summary>
/// <remarks>
/// Attach as <see cref="SwitchPort.Observer"/> of the client's session port: Inbound frames come from the client,
/// Outbound frames go towards it. Allocation-free per frame. Data frames touch only per-direction counters
/// (no lock); discovery and PPP control frames, a few per second, take one short lock, so one inbound and one
/// outbound writer may call at once with <see cref="Snapshot"/> from a third thread. Uses only what the
/// classifier read plus the MAC addresses and the discovery tags' types: PAP and CHAP bodies are never read.
/// </remarks>
public sealed class PppoeSessionTracker : IFrameObserver
{
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly DirectionTraffic _in = new();
    private readonly DirectionTraffic _out = new();
    private readonly DiscoveryState _discovery = new();
    private readonly ControlProtocolState _lcp = new(PppProtocol.Lcp);
    private readonly ControlProtocolState _ipcp = new(PppProtocol.Ipcp);
    private readonly ControlProtocolState _ipv6cp = new(PppProtocol.Ipv6cp);
    private readonly AuthenticationState _authentication = new();
    private readonly AnswerLedger _owedByClient = new();
    private readonly AnswerLedger _owedByIsp = new();
    private readonly DeliveryEvidence _delivery = new();
    private long _attempts;
    private uint _ispMagic;
    private bool _hasIspMagic;
    private long _foreignSessionFrames;
    private LargeFrameCheckResult? _largeFrameCheck;
    private readonly long _startedAt;

    public PppoeSessionTracker(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _startedAt = _time.GetTimestamp();
    }

    /// <summary>Classifies and observes a frame now: for callers that are not the switch (tests, replays).</summary>
    public void Observe(ReadOnlySpan<byte> frame, FrameDirection direction) =>
        OnFrame(frame, FrameClassifier.Classify(frame), direction, _time.GetTimestamp());

    /// <inheritdoc />
    public void OnFrame(ReadOnlySpan<byte> frame, in FrameClass info, FrameDirection direction, long timestamp)
    {
        var from = direction == FrameDirection.Inbound ? SessionSide.Client : SessionSide.Isp;
        (from == SessionSide.Client ? _in : _out).Record(info, timestamp);
        if (info.Family == EtherTypeFamily.PppoeDiscovery && info.Status == FrameStatus.Complete)
        {
            lock (_gate)
                OnDiscovery(frame, info, from, timestamp);
        }
        else if (info.Family == EtherTypeFamily.PppoeSession && info.HasPppControl)
        {
            bool opened;
            lock (_gate)
            {
                bool wasOpened = _lcp.IsOpened;
                OnControl(frame, info, from, timestamp);
                opened = !wasOpened && _lcp.IsOpened;
            }
            if (opened)
                LcpOpened?.Invoke();
        }
    }

    /// <summary>Called, outside the tracker's lock and on the frame's thread, each time LCP becomes Opened: for work that needs an open
    /// link (<see cref="LargeFrameCheck"/>). Must return at once.</summary>
    public Action? LcpOpened { get; set; }

    /// <summary>Keeps the latest <see cref="LargeFrameCheck"/> outcome for the view (and the diagnosis).</summary>
    public void RecordLargeFrameCheck(LargeFrameCheckResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        lock (_gate)
            _largeFrameCheck = result;
    }

    private void OnDiscovery(ReadOnlySpan<byte> frame, in FrameClass info, SessionSide from, long timestamp)
    {
        if (info.PppoeCode == PppoeDiscoveryCode.Padi && from == SessionSide.Client &&
            (_discovery.State == PppoeDiscoveryState.Idle || DiscoveryState.StartsNewAttempt(_discovery.State)))
        {
            StartAttempt(timestamp);
        }
        if (_discovery.OnFrame(frame, info, from, timestamp))
            CloseLink(timestamp);
    }

    private void OnControl(ReadOnlySpan<byte> frame, in FrameClass info, SessionSide from, long timestamp)
    {
        if (_discovery.SessionId is { } id)
        {
            if (info.PppoeSessionId != id)
            {
                _foreignSessionFrames++;
                return;
            }
        }
        else if (info.PppoeSessionId != 0)
        {
            // Joining mid-session takes a frame of this client's own: a frame towards another MAC (unknown unicast flooded from the
            // uplink, e.g. the ISP still talking to a client that left) is another subscriber's session.
            if (!OwnFrame(frame, from))
            {
                _foreignSessionFrames++;
                return;
            }
            if (_attempts == 0)
                _attempts = 1;
            _discovery.JoinSession(info.PppoeSessionId, timestamp);
        }

        switch (info.PppProtocol)
        {
            case PppProtocol.Lcp:
                if (info.PppCode == (byte)PppControlCode.ProtocolReject && from == SessionSide.Client)
                    OnProtocolReject(frame, info, from);
                if (from == SessionSide.Isp && LcpMagic.TryRead(frame, info, out uint magic))
                {
                    _ispMagic = magic;
                    _hasIspMagic = true;
                }
                OnSizeEvidence(info, from, timestamp);
                if (_lcp.OnPacket(from, info.PppCode, info.PppIdentifier, timestamp))
                {
                    // RFC 1661 §3.7: when LCP leaves Opened, every network-layer protocol goes down with it.
                    _ipcp.Close(timestamp);
                    _ipv6cp.Close(timestamp);
                    AbandonAnswers(timestamp);
                }
                break;
            case PppProtocol.Ipcp:
                OnSizeEvidence(info, from, timestamp);
                _ipcp.OnPacket(from, info.PppCode, info.PppIdentifier, timestamp);
                break;
            case PppProtocol.Ipv6cp:
                OnSizeEvidence(info, from, timestamp);
                _ipv6cp.OnPacket(from, info.PppCode, info.PppIdentifier, timestamp);
                break;
            case PppProtocol.Pap:
            case PppProtocol.Chap:
                _authentication.OnPacket(info.PppProtocol, from, info.PppCode, timestamp);
                break;
        }
    }

    /// <summary>From the client, or towards the client's MAC (known from its discovery or an earlier frame of its own).</summary>
    private bool OwnFrame(ReadOnlySpan<byte> frame, SessionSide from)
    {
        if (from == SessionSide.Client)
        {
            _discovery.ClientMac ??= MacAddress.Read(frame[6..]);
            return true;
        }
        return _discovery.ClientMac is { } client && MacAddress.Read(frame) == client;
    }

    /// <summary>Requests create answers owed, with the size those answers must have; answers settle them.</summary>
    private void OnSizeEvidence(in FrameClass info, SessionSide from, long timestamp)
    {
        // The PPP content's frame size, without the padding a wire may have added: what an answer mirroring it measures.
        int contentSize = 14 + 4 * info.VlanCount + 6 + info.PppoeLength;
        var owedBySender = from == SessionSide.Client ? _owedByClient : _owedByIsp;
        var owedByReceiver = from == SessionSide.Client ? _owedByIsp : _owedByClient;
        long receiverFrames = (from == SessionSide.Client ? _out : _in).SessionFrames;
        switch ((PppControlCode)info.PppCode)
        {
            case PppControlCode.ConfigureRequest:
                owedByReceiver.Expect(info.PppProtocol, PppControlCode.ConfigureAck, info.PppIdentifier, contentSize, info.Length, receiverFrames, timestamp);
                if (from == SessionSide.Client)
                    _delivery.ClientRequested(info.PppProtocol, info.PppIdentifier);
                break;
            case PppControlCode.EchoRequest when info.PppProtocol == PppProtocol.Lcp:
                owedByReceiver.Expect(PppProtocol.Lcp, PppControlCode.EchoReply, info.PppIdentifier, contentSize, info.Length, receiverFrames, timestamp);
                break;
            case PppControlCode.ConfigureAck:
            case PppControlCode.ConfigureNak:
            case PppControlCode.ConfigureReject:
            {
                int request = owedBySender.Answer(info.PppProtocol, isEchoReply: false, info.PppIdentifier);
                if (from == SessionSide.Client)
                    _delivery.Delivered(request);
                else
                    _delivery.AnsweredClient(info.PppProtocol, (PppControlCode)info.PppCode, info.PppIdentifier, info.Length);
                break;
            }
            case PppControlCode.EchoReply when info.PppProtocol == PppProtocol.Lcp:
            {
                int request = owedBySender.Answer(PppProtocol.Lcp, isEchoReply: true, info.PppIdentifier);
                if (from == SessionSide.Client)
                    _delivery.Delivered(request);
                break;
            }
        }
    }

    /// <summary>RFC 1661 §5.7: the rejected protocol follows the LCP header; the request it refuses did arrive.</summary>
    private void OnProtocolReject(ReadOnlySpan<byte> frame, in FrameClass info, SessionSide from)
    {
        int at = info.PayloadOffset + 6 + 2 + 4;
        if (frame.Length < at + 2)
            return;
        var rejected = PppProtocols.FromWire(System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(frame[at..]));
        var owed = from == SessionSide.Client ? _owedByClient : _owedByIsp;
        owed.Refuse(rejected);
        if (rejected == PppProtocol.Ipcp)
            _ipcp.Refuse(from);
        else if (rejected == PppProtocol.Ipv6cp)
            _ipv6cp.Refuse(from);
    }

    private void AbandonAnswers(long timestamp)
    {
        _owedByClient.Abandon(timestamp);
        _owedByIsp.Abandon(timestamp);
        _delivery.ForgetAnswers();
    }

    private void StartAttempt(long timestamp)
    {
        if (_attempts > 0)
        {
            _discovery.Reset();
            _lcp.Reset();
            _ipcp.Reset();
            _ipv6cp.Reset();
            _authentication.Reset();
            _hasIspMagic = false;
            AbandonAnswers(timestamp);
        }
        _attempts++;
    }

    private void CloseLink(long timestamp)
    {
        AbandonAnswers(timestamp);
        _lcp.Close(timestamp);
        _ipcp.Close(timestamp);
        _ipv6cp.Close(timestamp);
    }

    /// <summary>A consistent value copy of everything the tracker knows, with wall-clock times.</summary>
    public PppoeSessionView Snapshot()
    {
        var clock = new SnapshotClock(_time);
        lock (_gate)
        {
            return new PppoeSessionView
            {
                TakenAt = clock.Now,
                TrackingSince = clock.At(_startedAt) ?? clock.Now,
                Discovery = _discovery.ToView(clock, _attempts),
                Lcp = _lcp.ToView(clock),
                Authentication = _authentication.ToView(clock),
                Ipcp = _ipcp.ToView(clock),
                Ipv6cp = _ipv6cp.ToView(clock),
                ForeignSessionFrames = _foreignSessionFrames,
                In = _in.ToView(clock),
                Out = _out.ToView(clock),
                AnswersOwedByClient = _owedByClient.ToView(clock, SessionSide.Client),
                AnswersOwedByIsp = _owedByIsp.ToView(clock, SessionSide.Isp),
                LostTowardClient = _delivery.LostTowardClient(),
                IspMagicNumber = _hasIspMagic ? _ispMagic : null,
                SmallestDeliveredToClient = _delivery.SmallestDelivered is var delivered and > 0 ? delivered : null,
                LargeFrameCheck = _largeFrameCheck,
            };
        }
    }
}

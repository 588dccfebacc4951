using System.Net.Sockets;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Appliance.Tunnel.Control.Tls;
using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.Counters;
using Appliance.Tunnel.DataChannel;
using Appliance.Tunnel.RateLimit;
using Appliance.Tunnel.Switching;
using Appliance.Tunnel.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Tunnel.Sessions;

/// <summary>The OpenVPN-protocol L2 server: listens on UDP and TCP, runs one <see cref="TunnelSession"/> per client, and
/// joins each authenticated session to the switch as a port of its own.</summary>
/// <remarks>
/// Nothing unauthenticated costs a live client anything (see Sessions/README.md): a packet without a session is
/// verified (tls-crypt / tls-auth) before any bucket, table or timer is touched; a UDP client's first reset is answered
/// statelessly with an HMAC cookie as its session id, and a session is created only when the client's next packet
/// acknowledges that id from the same address; handshakes in progress are bounded in total and per source, apart
/// from authenticated sessions, which nothing unauthenticated can end or evict.
/// Data packets find their session by peer-id (DATA_V2) in one lookup, on the transport's receive thread; control
/// packets by the client's session id, and only from the address the session owns.
/// </remarks>
public sealed class TunnelServer : IPacketReceiver, ISessionEvents, IAsyncDisposable
{
    private static readonly byte[] ResendWkcTlv = [0x00, 0x01, 0x00, 0x02, 0x00, 0x01];
    private readonly TunnelServerOptions _options;
    private readonly TimeProvider _time;
    private readonly CoarseClock _clock;
    private readonly ILogger _logger;
    private readonly SessionContext _context;
    /// <summary>Every session by our session id.</summary>
    private readonly ConcurrentDictionary<ulong, TunnelSession> _byId = new();
    /// <summary>UDP sessions by the client's session id: where their control packets go.</summary>
    private readonly ConcurrentDictionary<ulong, TunnelSession> _byClientId = new();
    /// <summary>Authenticated UDP sessions by the address they own: DATA_V1 and float checks.</summary>
    private readonly ConcurrentDictionary<SocketAddress, TunnelSession> _byAddress = new();
    private readonly ConcurrentDictionary<uint, TunnelSession> _byPeerId = new();
    private readonly List<UdpTransport> _udp = [];
    private readonly List<TcpTransport> _tcp = [];
    private readonly TokenBucket _newSessions;
    private readonly TokenBucket _answers;
    private readonly SourceLimiter _perSource;
    private readonly HalfOpenCount _halfOpen;
    private readonly HandshakeCookie _cookie;
    private readonly LogLimiter _refusalLog;
    private readonly LogLimiter _faultLog;
    private readonly IControlPacketWrapper _openingWrap;
    private readonly TlsCryptV2Settings? _v2;
    private readonly TlsCryptV2ServerUnwrapper? _v2Unwrap;
    /// <summary>Where a tls-crypt-v2 opening is unwrapped (Kc, metadata, plain packet); zeroed after each use.</summary>
    private readonly byte[] _v2Work = new byte[65536];
    private readonly Lock _openingLock = new();
    private readonly byte[] _openingPlain = new byte[2048];
    private readonly byte[] _answerPlain = new byte[256];
    private readonly byte[] _answerWire = new byte[512];
    private readonly uint _answerTime;
    private readonly ITimer _tick;
    private readonly ConcurrentQueue<TunnelSession> _toRemove = new();
    private uint _nextPeerId;
    private long _refusals;
    private long _answered;
    private long _replaced;
    private long _faults;
    private int _ticking;

    public TunnelServer(TunnelServerOptions options, EthernetSwitch ethernetSwitch, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
            throw new ArgumentException("invalid tunnel server options: " + string.Join("; ", errors), nameof(options));
        _options = options;
        Switch = ethernetSwitch;
        _time = time ?? TimeProvider.System;
        _clock = new CoarseClock(_time);
        _logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger<TunnelServer>();
        _context = new SessionContext(ethernetSwitch, _clock, Unattributed, this, _logger);
        _newSessions = new TokenBucket(options.NewSessionsPerSecond, options.NewSessionsBurst, _time);
        _answers = new TokenBucket(options.ResetAnswersPerSecond, options.ResetAnswersPerSecond, _time);
        _perSource = new SourceLimiter(options.PerSourcePerSecond, options.PerSourceBurst, _time);
        _halfOpen = new HalfOpenCount(options.MaxHandshakes, options.MaxHandshakesPerSource);
        _cookie = new HandshakeCookie(_time);
        _refusalLog = new LogLimiter(TimeSpan.FromSeconds(10), _time);
        _faultLog = new LogLimiter(TimeSpan.FromSeconds(10), _time);
        _openingWrap = options.ControlWrapping.CreateServerWrapper();
        _v2 = options.ControlWrapping.TlsCryptV2;
        _v2Unwrap = _v2?.CreateUnwrapper();
        _answerTime = (uint)_time.GetUtcNow().ToUnixTimeSeconds();
        _nextPeerId = (uint)RandomNumberGenerator.GetInt32(0, 1 << 16);
        _tick = _time.CreateTimer(_ => Tick(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public EthernetSwitch Switch { get; }

    /// <summary>Drops of packets that belong to no session (garbage, wrong key, unknown peers, limits, faults).</summary>
    public DirectionCounters Unattributed { get; } = new();

    /// <summary>Clients refused after TLS (certificate revoked, expired, unknown CA, no shared cipher, identity change).</summary>
    public long Refusals => Interlocked.Read(ref _refusals);

    /// <summary>First resets answered statelessly (UDP), each with at most one packet.</summary>
    public long ResetsAnswered => Interlocked.Read(ref _answered);

    /// <summary>Sessions ended because the same client (certificate) authenticated again elsewhere.</summary>
    public long SessionsReplaced => Interlocked.Read(ref _replaced);

    /// <summary>Exceptions thrown while handling a received packet (bugs): counted, logged at a limited rate, survived.</summary>
    public long ReceiveFaults => Interlocked.Read(ref _faults);

    /// <summary>Sessions whose handshake is in progress (created, not yet authenticated).</summary>
    public int HandshakesInProgress => _halfOpen.Total;

    /// <summary>Raised once for each session as it is removed, with its close reason set; for audit and history.</summary>
    public event Action<TunnelSession>? SessionClosed;

    /// <summary>The addresses actually bound (ports resolved when 0 was asked).</summary>
    public IReadOnlyList<ListenEndpoint> BoundEndpoints { get; private set; } = [];

    /// <summary>The TCP listeners, for their connection counters.</summary>
    public IReadOnlyList<TcpTransport> TcpListeners => _tcp;

    public IReadOnlyCollection<TunnelSession> Sessions => [.. _byId.Values];

    /// <summary>Binds every listen endpoint; throws with the endpoint and the reason when one cannot be bound.</summary>
    /// <param name="adopt">Gives, for a listen entry (its index in <see cref="TunnelServerOptions.Listen"/>), the socket the
    /// previous process listened on for it (restart or upgrade), or null to bind a new one.</param>
    /// <param name="carried">The previous process's sessions (<see cref="ImportState"/>), put back before any adopted
    /// socket is read, so the datagrams queued for them meanwhile find them.</param>
    /// <param name="receive">False to read adopted sockets only at <see cref="BeginReceiving"/> (when the switch's other
    /// ports, e.g. the uplink, must be back first).</param>
    public void Start(Func<int, ListenEndpoint, Socket?>? adopt = null, TunnelState? carried = null, bool receive = true)
    {
        var bound = new List<ListenEndpoint>();
        for (int index = 0; index < _options.Listen.Count; index++)
        {
            var listen = _options.Listen[index];
            var handed = adopt?.Invoke(index, listen);
            if (listen.Protocol == TunnelProtocol.Udp)
            {
                var udp = handed is null ? UdpTransport.Start(listen.EndPoint, this) : UdpTransport.Adopt(handed, this, receive: false);
                _udp.Add(udp);
                _handOvers.Add((index, udp.HandOver));
                bound.Add(listen with { EndPoint = udp.LocalEndPoint });
            }
            else
            {
                var tcp = handed is null ? TcpTransport.Start(listen.EndPoint, this, _options.TcpLimits, _time) : TcpTransport.Adopt(handed, this, _options.TcpLimits, _time);
                _tcp.Add(tcp);
                _handOvers.Add((index, tcp.HandOver));
                bound.Add(listen with { EndPoint = tcp.LocalEndPoint });
            }
        }
        BoundEndpoints = bound;
        string endpoints = string.Join(", ", bound);
        Log.Listening(_logger, endpoints);
        if (carried is not null && _udp.Count > 0)
            TakenOver = ImportState(carried);
        if (receive)
            BeginReceiving();
    }

    /// <summary>Starts reading the adopted UDP sockets (see <see cref="Start"/>); does nothing for those read already.</summary>
    public void BeginReceiving()
    {
        foreach (var udp in _udp)
            udp.BeginReceiving();
    }

    /// <summary>Sessions taken over from the previous process at <see cref="Start"/>.</summary>
    public int TakenOver { get; private set; }

    private readonly List<(int ListenIndex, Func<int> HandOver)> _handOvers = [];
    private int _handedOver;

    // ---------------------------------------------------------------- packets in (UDP)

    public void OnDatagram(Span<byte> packet, SocketAddress from, IDatagramSocket socket)
    {
        if (packet.IsEmpty)
        {
            Unattributed.RecordDrop(DropReason.Malformed, 0);
            return;
        }
        var opcode = OpcodeByte.OpcodeOf(packet[0]);
        switch (opcode)
        {
            case Opcode.DataV2:
                if (DataPacketHeader.TryReadPeerId(packet, out uint peerId) && _byPeerId.TryGetValue(peerId, out var byPeer))
                    byPeer.ReceiveData(packet, from);
                else
                    Unattributed.RecordDrop(DropReason.NoSession, packet.Length);
                return;
            case Opcode.DataV1:
                if (_byAddress.TryGetValue(from, out var byAddress))
                    byAddress.ReceiveData(packet, from);
                else
                    Unattributed.RecordDrop(DropReason.NoSession, packet.Length);
                return;
        }
        if (!OpcodeByte.IsControl(opcode) || packet.Length < 1 + ControlPacket.SessionIdSize)
        {
            Unattributed.RecordDrop(DropReason.Malformed, packet.Length);
            return;
        }
        if (_byClientId.TryGetValue(PeekSessionId(packet), out var session))
        {
            // Control packets are taken only from the address the session owns (2.6 insists on it too): a forged or
            // replayed one from elsewhere never reaches the session.
            if (session.Link is UdpPeerLink link && link.Address.Equals(from))
                session.ReceiveControl(WithoutWrappedKey(packet, opcode));
            else
                Unattributed.RecordDrop(DropReason.AddressMismatch, packet.Length);
            return;
        }
        switch (opcode)
        {
            case Opcode.ControlHardResetClientV2:
                AnswerReset(packet, from, socket);
                return;
            case Opcode.ControlV1 or Opcode.AckV1:
                AdmitAfterCookie(packet, from, socket);
                return;
            case Opcode.ControlHardResetClientV3 when _v2 is not null:
                AnswerResetV2(packet, from, socket);
                return;
            case Opcode.ControlWkcV1 when _v2 is not null:
                AdmitAfterCookieV2(packet, from, socket);
                return;
            default:
                // Soft resets, tls-crypt-v2 opcodes without a v2 key, server opcodes: nothing to open.
                Unattributed.RecordDrop(opcode is Opcode.ControlHardResetClientV3 or Opcode.ControlWkcV1 ? DropReason.BadControlAuthentication : DropReason.NoSession, packet.Length);
                return;
        }
    }

    /// <summary>A verified first reset gets one stateless answer whose session id is the cookie; nothing is kept.</summary>
    private void AnswerReset(ReadOnlySpan<byte> wire, SocketAddress from, IDatagramSocket socket)
    {
        lock (_openingLock)
        {
            var unwrap = _openingWrap.Unwrap(wire, _openingPlain, out int length, out _);
            if (unwrap != UnwrapResult.Ok)
            {
                Unattributed.RecordDrop(UnwrapResults.ToDropReason(unwrap), wire.Length);
                return;
            }
            if (ControlPacket.TryParse(_openingPlain.AsSpan(0, length), out var reset) != ControlParseResult.Ok
                || reset.KeyId != 0 || reset.MessageId != 0 || reset.SessionId == 0)
            {
                Unattributed.RecordDrop(DropReason.Malformed, wire.Length);
                return;
            }
            SendAnswer(_openingWrap, reset.SessionId, [], from, socket, wire.Length);
        }
    }

    /// <summary>The one stateless answer: a server reset acknowledging the client's, its session id the cookie.
    /// Buckets are charged only here, after the wrap verified: garbage cannot spend a legitimate client's allowance.</summary>
    private void SendAnswer(IControlPacketWrapper wrapper, ulong clientId, ReadOnlySpan<byte> payload, SocketAddress from, IDatagramSocket socket, int length)
    {
        if (!_perSource.TryTake(from) || !_answers.TryTake())
        {
            Unattributed.RecordDrop(DropReason.RateLimited, length);
            return;
        }
        ulong cookie = _cookie.Issue(from, clientId);
        ReadOnlySpan<uint> ackReset = [0u];
        if (!ControlPacket.TryWrite(_answerPlain, Opcode.ControlHardResetServerV2, 0, cookie, ackReset, clientId, 0, payload, out int plainLength)
            || !wrapper.TryWrap(_answerPlain.AsSpan(0, plainLength), new WrapReplayId(1, _answerTime), _answerWire, out int wireLength))
        {
            Unattributed.RecordDrop(DropReason.Malformed, length);
            return;
        }
        socket.SendTo(_answerWire.AsSpan(0, wireLength), from);
        Interlocked.Increment(ref _answered);
    }

    /// <summary>A tls-crypt-v2 first reset (opcode 10): both tags and the client policy pass before anything else. A 2.6
    /// client (early negotiation) gets the stateless answer asking it to resend its WKc with its next packet; an older
    /// v2 client cannot, so its session is kept from the reset, within the handshake bounds.</summary>
    private void AnswerResetV2(ReadOnlySpan<byte> wire, SocketAddress from, IDatagramSocket socket)
    {
        lock (_openingLock)
        {
            try
            {
                if (!TryUnwrapV2(wire, UdpPeerLink.Describe(from), out var opening, out var reset))
                    return;
                if (reset.AckCount != 0 || reset.MessageId != 0)
                {
                    Unattributed.RecordDrop(DropReason.Malformed, wire.Length);
                    return;
                }
                if (opening.AnnouncesEarlyNegotiation)
                {
                    Span<byte> tlv = stackalloc byte[TlsCryptV2EarlyNegotiation.ResendWrappedKeyTlvSize];
                    TlsCryptV2EarlyNegotiation.WriteResendWrappedKeyTlv(tlv);
                    using var wrapper = opening.CreateServerWrapper();
                    SendAnswer(wrapper, reset.SessionId, tlv, from, socket, wire.Length);
                    return;
                }
                var link = new UdpPeerLink(socket, from);
                if (!_perSource.TryTake(from) || !TryReserveHandshake(link, StripPort(from), wire.Length, out int slot))
                    return;
                using var clientKey = opening.CopyClientKey();
                var session = Create(RandomSessionId(), reset.SessionId, link, clientKey, 0, slot);
                if (session is null || !_byClientId.TryAdd(reset.SessionId, session))
                {
                    _halfOpen.Release(slot);
                    if (session is not null)
                        Forget(session);
                    Unattributed.RecordDrop(DropReason.NoSession, wire.Length);
                    return;
                }
                session.Open(opening.Plain, opening.ReplayId);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(_v2Work.AsSpan(0, Math.Min(wire.Length, _v2Work.Length)));
            }
        }
    }

    /// <summary>Unwraps a tls-crypt-v2 opening (opcode 10 or 11) into the work buffer, parses it and asks the client policy;
    /// every refusal is counted. Call under the opening lock; zero the work buffer after.</summary>
    private bool TryUnwrapV2(ReadOnlySpan<byte> wire, string remote, out TlsCryptV2Opening opening, out ControlPacket packet)
    {
        packet = default;
        var unwrap = _v2Unwrap!.Unwrap(wire, _v2Work, out opening);
        if (unwrap != TlsCryptV2UnwrapResult.Ok)
        {
            Unattributed.RecordDrop(TlsCryptV2UnwrapResults.ToDropReason(unwrap), wire.Length);
            return false;
        }
        if (ControlPacket.TryParse(opening.Plain, out packet) != ControlParseResult.Ok || packet.KeyId != 0 || packet.SessionId == 0)
        {
            Unattributed.RecordDrop(DropReason.Malformed, wire.Length);
            return false;
        }
        var verdict = opening.Admit(_v2!.Policy, out var metadata, out _);
        if (verdict != TlsCryptV2Verdict.Accepted)
        {
            Unattributed.RecordDrop(TlsCryptV2Verdicts.ToDropReason(verdict), wire.Length);
            if (_refusalLog.TryEnter(out long suppressed))
                Log.ClientKeyRefused(_logger, remote, metadata.CommonName ?? "?", metadata.SerialNumber ?? "?", TlsCryptV2Verdicts.Key(verdict), suppressed);
            return false;
        }
        return true;
    }

    /// <summary>A P_CONTROL_WKC_V1 already routed to its session carries the WKc again: the session unwraps only the packet.</summary>
    private static ReadOnlySpan<byte> WithoutWrappedKey(Span<byte> packet, Opcode opcode) =>
        opcode == Opcode.ControlWkcV1 && TlsCryptV2WrappedKey.TrySplit(packet, out int length) == TlsCryptV2UnwrapResult.Ok ? packet[..length] : packet;

    /// <summary>A client's packet after our stateless answer: if it acknowledges our reset with the cookie for its
    /// address and session id, the session is created now, as if it had existed since the reset.</summary>
    private void AdmitAfterCookie(ReadOnlySpan<byte> wire, SocketAddress from, IDatagramSocket socket)
    {
        ulong clientId, cookie;
        WrapReplayId replayId;
        byte[] next;
        lock (_openingLock)
        {
            var unwrap = _openingWrap.Unwrap(wire, _openingPlain, out int length, out replayId);
            if (unwrap != UnwrapResult.Ok)
            {
                Unattributed.RecordDrop(UnwrapResults.ToDropReason(unwrap), wire.Length);
                return;
            }
            var plain = _openingPlain.AsSpan(0, length);
            if (ControlPacket.TryParse(plain, out var packet) != ControlParseResult.Ok || packet.KeyId != 0 || packet.SessionId == 0)
            {
                Unattributed.RecordDrop(DropReason.Malformed, wire.Length);
                return;
            }
            if (packet.AckCount == 0 || !_cookie.Verify(from, packet.SessionId, packet.PeerSessionId))
            {
                // A stale client (the server restarted), or a packet replayed from another address.
                Unattributed.RecordDrop(DropReason.NoSession, wire.Length);
                return;
            }
            clientId = packet.SessionId;
            cookie = packet.PeerSessionId;
            next = plain.ToArray();
        }
        OpenAdmitted(new UdpPeerLink(socket, from), from, clientId, cookie, clientKey: null, next, replayId, wire.Length);
    }

    /// <summary>Opens the session of a client that proved it received our stateless answer: a handshake slot, the session
    /// (wrapped under <paramref name="clientKey"/> for tls-crypt-v2, else the shared key), then the packet it sent.</summary>
    private void OpenAdmitted(UdpPeerLink link, SocketAddress from, ulong clientId, ulong cookie, StaticKey? clientKey, byte[] next,
        WrapReplayId replayId, int wireLength)
    {
        if (!TryReserveHandshake(link, StripPort(from), wireLength, out var slot))
            return;
        Span<byte> reset = stackalloc byte[ControlPacket.SizeOf(Opcode.ControlHardResetClientV2, 0, 0)];
        ControlPacket.TryWrite(reset, Opcode.ControlHardResetClientV2, 0, clientId, [], 0, 0, [], out _);
        var session = Create(cookie, clientId, link, clientKey, wrapCountersUsed: 1, slot);
        if (session is null || !_byClientId.TryAdd(clientId, session))
        {
            _halfOpen.Release(slot);
            if (session is not null)
                Forget(session);
            Unattributed.RecordDrop(DropReason.NoSession, wireLength);
            return;
        }
        session.OpenAfterCookie(reset, next, replayId);
    }

    /// <summary>A tls-crypt-v2 client's packet after our stateless answer (opcode 11, its WKc appended again): as
    /// <see cref="AdmitAfterCookie"/>, with the session's wrap under the client's own key Kc.</summary>
    private void AdmitAfterCookieV2(ReadOnlySpan<byte> wire, SocketAddress from, IDatagramSocket socket)
    {
        ulong clientId, cookie;
        WrapReplayId replayId;
        byte[] next;
        StaticKey clientKey;
        lock (_openingLock)
        {
            try
            {
                if (!TryUnwrapV2(wire, UdpPeerLink.Describe(from), out var opening, out var packet))
                    return;
                if (packet.AckCount == 0 || !_cookie.Verify(from, packet.SessionId, packet.PeerSessionId))
                {
                    Unattributed.RecordDrop(DropReason.NoSession, wire.Length);
                    return;
                }
                clientId = packet.SessionId;
                cookie = packet.PeerSessionId;
                replayId = opening.ReplayId;
                next = opening.Plain.ToArray();
                clientKey = opening.CopyClientKey();
            }
            finally
            {
                CryptographicOperations.ZeroMemory(_v2Work.AsSpan(0, Math.Min(wire.Length, _v2Work.Length)));
            }
        }
        using (clientKey)
            OpenAdmitted(new UdpPeerLink(socket, from), from, clientId, cookie, clientKey, next, replayId, wire.Length);
    }

    // ---------------------------------------------------------------- packets in (TCP)

    public void OnStreamPacket(Span<byte> packet, IStreamLink link)
    {
        var opcode = OpcodeByte.OpcodeOf(packet[0]);
        if (link.Owner is TunnelSession session)
        {
            if (opcode is Opcode.DataV2 or Opcode.DataV1)
                session.ReceiveData(packet, null);
            else
                session.ReceiveControl(WithoutWrappedKey(packet, opcode));
            return;
        }
        if (opcode == Opcode.ControlHardResetClientV3 && _v2 is not null)
        {
            OpenStreamV2(packet, link);
            return;
        }
        if (opcode != Opcode.ControlHardResetClientV2)
        {
            // A TCP peer that does not open properly gets no second chance.
            Unattributed.RecordDrop(opcode == Opcode.ControlHardResetClientV3 ? DropReason.BadControlAuthentication : DropReason.NoSession, packet.Length);
            link.Close();
            return;
        }
        ulong clientId;
        WrapReplayId replayId;
        byte[] plainReset;
        lock (_openingLock)
        {
            var unwrap = _openingWrap.Unwrap(packet, _openingPlain, out int length, out replayId);
            if (unwrap != UnwrapResult.Ok)
            {
                Unattributed.RecordDrop(UnwrapResults.ToDropReason(unwrap), packet.Length);
                link.Close();
                return;
            }
            if (ControlPacket.TryParse(_openingPlain.AsSpan(0, length), out var reset) != ControlParseResult.Ok
                || reset.KeyId != 0 || reset.MessageId != 0 || reset.SessionId == 0)
            {
                Unattributed.RecordDrop(DropReason.Malformed, packet.Length);
                link.Close();
                return;
            }
            clientId = reset.SessionId;
            plainReset = _openingPlain.AsSpan(0, length).ToArray();
        }
        // TCP's own handshake proved the address: the session is created at the reset, as 2.6 does.
        if (!_perSource.TryTake(link.RemoteAddress) || !TryReserveHandshake(link, link.RemoteAddress, packet.Length, out var slot))
        {
            if (link.Owner is null)
                Unattributed.RecordDrop(DropReason.RateLimited, packet.Length);
            link.Close();
            return;
        }
        var opened = Create(RandomSessionId(), clientId, link, null, wrapCountersUsed: 0, slot);
        if (opened is null)
        {
            _halfOpen.Release(slot);
            link.Close();
            return;
        }
        link.Owner = opened;
        opened.Open(plainReset, replayId);
    }

    /// <summary>A tls-crypt-v2 opening on a TCP connection: the session is kept from the reset (the connection proved the
    /// address), its wrap under the client's own key.</summary>
    private void OpenStreamV2(ReadOnlySpan<byte> packet, IStreamLink link)
    {
        byte[] plainReset;
        WrapReplayId replayId;
        ulong clientId;
        StaticKey clientKey;
        lock (_openingLock)
        {
            try
            {
                if (!TryUnwrapV2(packet, link.Remote, out var opening, out var reset) || reset.MessageId != 0)
                {
                    link.Close();
                    return;
                }
                clientId = reset.SessionId;
                replayId = opening.ReplayId;
                plainReset = opening.Plain.ToArray();
                clientKey = opening.CopyClientKey();
            }
            finally
            {
                CryptographicOperations.ZeroMemory(_v2Work.AsSpan(0, Math.Min(packet.Length, _v2Work.Length)));
            }
        }
        using (clientKey)
        {
            if (!_perSource.TryTake(link.RemoteAddress) || !TryReserveHandshake(link, link.RemoteAddress, packet.Length, out var slot))
            {
                link.Close();
                return;
            }
            var opened = Create(RandomSessionId(), clientId, link, clientKey, wrapCountersUsed: 0, slot);
            if (opened is null)
            {
                _halfOpen.Release(slot);
                link.Close();
                return;
            }
            link.Owner = opened;
            opened.Open(plainReset, replayId);
        }
    }

    public void OnStreamClosed(IStreamLink link)
    {
        if (link.Owner is TunnelSession session)
            session.BeginClose("the TCP connection closed", TimeSpan.Zero);
    }

    public void OnReceiveFault(Exception fault, int length)
    {
        Interlocked.Increment(ref _faults);
        Unattributed.RecordDrop(DropReason.HandlerFault, length);
        if (_faultLog.TryEnter(out long suppressed))
            Log.ReceiveFault(_logger, length, suppressed, fault);
    }

    private static ulong PeekSessionId(ReadOnlySpan<byte> packet) => BinaryPrimitives.ReadUInt64BigEndian(packet.Slice(1, 8));

    private static IPAddress StripPort(SocketAddress address) =>
        ((IPEndPoint)new IPEndPoint(address.Family == System.Net.Sockets.AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0).Create(address)).Address;

    // ---------------------------------------------------------------- opening

    /// <summary>Charges every bound a new handshake must pass: the session table, the global new-session bucket, and
    /// the handshakes in progress in total and for this source. Refusals are counted and logged at a limited rate.</summary>
    private bool TryReserveHandshake(IPeerLink link, IPAddress source, int length, out int slot)
    {
        slot = SourceLimiter.SlotOf(source);
        string? refusal = null;
        var reason = DropReason.HandshakeLimit;
        if (EstablishedCount >= _options.MaxSessions)
            refusal = $"the server already has its maximum of {_options.MaxSessions} sessions";
        else if (!_halfOpen.TryReserve(slot))
            refusal = $"too many handshakes in progress ({_options.MaxHandshakes} in all, {_options.MaxHandshakesPerSource} per source)";
        else if (!_newSessions.TryTake())
        {
            _halfOpen.Release(slot);
            refusal = $"more than {_options.NewSessionsPerSecond:0} new sessions a second";
            reason = DropReason.RateLimited;
        }
        if (refusal is null)
            return true;
        Unattributed.RecordDrop(reason, length);
        if (_refusalLog.TryEnter(out long suppressed))
            Log.NotAccepted(_logger, link.Remote, refusal, suppressed);
        return false;
    }

    private TunnelSession? Create(ulong id, ulong clientId, IPeerLink link, StaticKey? clientKey, uint wrapCountersUsed, int slot)
    {
        uint peerId = AllocatePeerId();
        var session = new TunnelSession(id, clientId, peerId, link, _options, _context, clientKey, wrapCountersUsed) { HandshakeSlot = slot };
        if (!_byId.TryAdd(id, session))
            return null;
        _byPeerId[peerId] = session;
        return session;
    }

    private void Forget(TunnelSession session)
    {
        _byId.TryRemove(new KeyValuePair<ulong, TunnelSession>(session.Id, session));
        _byPeerId.TryRemove(new KeyValuePair<uint, TunnelSession>(session.PeerId, session));
    }

    private static ulong RandomSessionId()
    {
        Span<byte> bytes = stackalloc byte[8];
        ulong id;
        do
        {
            RandomNumberGenerator.Fill(bytes);
            id = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        }
        while (id == 0);
        return id;
    }

    private uint AllocatePeerId()
    {
        while (true)
        {
            uint candidate = Interlocked.Increment(ref _nextPeerId) & 0xFFFFFF;
            if (candidate != DataPacketHeader.NoPeerId && !_byPeerId.ContainsKey(candidate))
                return candidate;
        }
    }

    private int EstablishedCount
    {
        get
        {
            int count = 0;
            foreach (var session in _byId.Values)
            {
                if (session.IsEstablished)
                    count++;
            }
            return count;
        }
    }

    // ---------------------------------------------------------------- session events

    void ISessionEvents.Authenticated(TunnelSession session)
    {
        bool concurrent = _options.AllowsConcurrentSessions?.Invoke(session.CommonName ?? "") == true;
        if (!concurrent)
            ReplaceOlderSessions(session);
    }

    void ISessionEvents.Established(TunnelSession session)
    {
        ReleaseHandshake(session);
        if (session.Link is IStreamLink stream)
            stream.IsAuthenticated = true;
        if (session.Link is UdpPeerLink udp)
            _byAddress[udp.Address] = session;
    }

    /// <summary>A client authenticated as a new session: its older sessions go now, as in a 2.6 server without duplicate-cn,
    /// and each is told why (HALT with the reason), so a second machine using the same profile stops instead of
    /// reconnecting every minute and pushing the first one out in turn.</summary>
    /// <remarks>
    /// A client that was killed or lost power says no goodbye, and after a restart (nobind: a new source port) nothing else
    /// would end its old session before ping-restart, 2 min later. Until then the old session's port would still own the
    /// MACs behind the client, and the switch would drop every frame the new session brings from them
    /// (<see cref="DropReason.MacOwnedByOtherPort"/>): no PPPoE redial for 2 minutes.
    /// </remarks>
    private void ReplaceOlderSessions(TunnelSession established)
    {
        foreach (var other in _byId.Values)
        {
            if (other == established || !other.IsEstablished || other.IsClosing
                || !string.Equals(other.CommonName, established.CommonName, StringComparison.Ordinal))
                continue;
            Interlocked.Increment(ref _replaced);
            string remote = established.Link.Remote;
            Log.Replaced(_logger, other.Name, other.CommonName ?? "?", other.Link.Remote, established.Name, remote);
            other.Supersede($"HALT,replaced: the same profile ('{established.CommonName}') connected again from {remote}; " +
                "one profile serves one machine unless the operator allows concurrent connections for it",
                $"replaced by session {established.Name} of the same client from {remote}");
        }
    }

    bool ISessionEvents.TryFloat(TunnelSession session, UdpPeerLink link, SocketAddress to)
    {
        if (_byAddress.TryGetValue(to, out var other) && other != session && !other.IsClosing)
        {
            if (_refusalLog.TryEnter(out long suppressed))
                Log.FloatRefused(_logger, session.Name, session.CommonName ?? "?", UdpPeerLink.Describe(to), other.Name, suppressed);
            return false;
        }
        string previous = link.Remote;
        var old = link.Address;
        var address = link.MoveTo(to);
        _byAddress.TryRemove(new KeyValuePair<SocketAddress, TunnelSession>(old, session));
        _byAddress[address] = session;
        Log.Floated(_logger, session.Name, session.CommonName ?? "?", previous, link.Remote);
        return true;
    }

    void ISessionEvents.Refused(TunnelSession session) => Interlocked.Increment(ref _refusals);

    void ISessionEvents.RemoveSoon(TunnelSession session)
    {
        _toRemove.Enqueue(session);
        ThreadPool.UnsafeQueueUserWorkItem(_ => RemoveDue(), null);
    }

    private void ReleaseHandshake(TunnelSession session)
    {
        if (session.TryEndHandshake())
            _halfOpen.Release(session.HandshakeSlot);
    }

    // ---------------------------------------------------------------- restart and upgrade

    /// <summary>How far a carried-over data key's send counter jumps: packets the old process may still send after the
    /// export must never share a nonce with the new one's.</summary>
    public const uint CarriedPacketIdMargin = 1 << 16;
    /// <summary>The same for the control wrap's replay counter.</summary>
    public const uint CarriedWrapCounterMargin = 1 << 8;

    /// <summary>The authenticated UDP sessions as the next process takes them over (<see cref="ImportState"/>). Call with
    /// the transports no longer reading. Sessions in a handshake, and TCP sessions, are not carried: their clients reconnect.</summary>
    /// <param name="identity">This appliance's identity (its server certificate fingerprint), checked by the importer.</param>
    public TunnelState ExportState(string identity)
    {
        var sessions = new List<SessionState>();
        foreach (var session in _byId.Values)
        {
            if (session.Export(CarriedPacketIdMargin, CarriedWrapCounterMargin) is { } state)
                sessions.Add(state);
        }
        return new TunnelState(TunnelState.CurrentFormat, identity, _time.GetUtcNow(), sessions);
    }

    /// <summary>
    /// Stops this server for the next process: the tick stops, every listener stops reading (its socket stays open and a
    /// second fd of it is returned, by listen index), and the authenticated UDP sessions are exported. Nothing is sent to
    /// any client, then or at dispose: the sessions go on in the next process. Frames the switch still sends meanwhile
    /// use packet ids below the carried margin. Call once; dispose afterwards only releases memory.
    /// </summary>
    public (TunnelState State, IReadOnlyList<(int ListenIndex, int Fd)> Sockets) HandOver(string identity)
    {
        if (Interlocked.Exchange(ref _handedOver, 1) != 0)
            throw new InvalidOperationException("the server was already handed over");
        _tick.Dispose();
        var sockets = new List<(int, int)>();
        foreach (var (index, handOver) in _handOvers)
            sockets.Add((index, handOver()));
        return (ExportState(identity), sockets);
    }

    /// <summary>Takes over the sessions of the previous process: each joins the switch at once and goes on with its keys,
    /// counters and peer-id; the clients notice nothing. Returns how many were taken over.</summary>
    /// <param name="socket">The socket the sessions' clients are reached through (default: the first UDP listener,
    /// which the hand-over gives this process the very socket of).</param>
    public int ImportState(TunnelState state, IDatagramSocket? socket = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        socket ??= _udp.Count > 0 ? _udp[0] : throw new InvalidOperationException("no UDP listener to take the sessions over: start the server first");
        int taken = 0;
        foreach (var carried in state.Sessions)
        {
            if (_byId.ContainsKey(carried.Id) || _byPeerId.ContainsKey(carried.PeerId) || _byClientId.ContainsKey(carried.PeerSessionId))
                continue;
            var address = new SocketAddress((System.Net.Sockets.AddressFamily)carried.AddressFamily, carried.Address.Length);
            carried.Address.CopyTo(address.Buffer.Span);
            var session = TunnelSession.Restore(carried, new UdpPeerLink(socket, address), _options, _context);
            session.TryEndHandshake();
            _byId[session.Id] = session;
            _byPeerId[session.PeerId] = session;
            _byClientId[session.PeerSessionId] = session;
            _byAddress[((UdpPeerLink)session.Link).Address] = session;
            taken++;
        }
        Log.TakenOver(_logger, taken, state.Sessions.Count, state.ExportedAt);
        return taken;
    }

    // ---------------------------------------------------------------- operator actions

    /// <summary>Disconnects a session; the client is told to reconnect (RESTART) unless <paramref name="halt"/>.</summary>
    public bool Kick(ulong sessionId, bool halt = false)
    {
        if (!_byId.TryGetValue(sessionId, out var session))
            return false;
        session.Disconnect(halt ? "HALT" : "RESTART", halt ? "stopped by the operator" : "kicked by the operator");
        return true;
    }

    /// <summary>Applies a new CRL now: later handshakes use it, and live sessions whose certificate it revokes are stopped (HALT).</summary>
    public int ApplyRevocationList(CertificateRevocationList? crl)
    {
        _options.ClientValidator.RevocationList = crl;
        int stopped = 0;
        foreach (var session in _byId.Values)
        {
            if (session.IsEstablished && !session.StillAccepted(_options.ClientValidator))
            {
                session.Disconnect("HALT", "certificate revoked");
                stopped++;
            }
        }
        return stopped;
    }

    // ---------------------------------------------------------------- time

    private void Tick()
    {
        if (Interlocked.Exchange(ref _ticking, 1) == 1)
            return;
        try
        {
            long now = _clock.Refresh();
            var utcNow = _time.GetUtcNow();
            long pingTicks = _clock.Ticks(_options.Ping);
            long silenceTicks = 2 * _clock.Ticks(_options.PingRestart);
            long handshakeTicks = _clock.Ticks(Control.Reliability.ReliabilityOptions.Default.HandshakeWindow) + _clock.Ticks(_options.CloseGrace);
            foreach (var session in _byId.Values)
            {
                if (session.CloseDue(now))
                {
                    _toRemove.Enqueue(session);
                    continue;
                }
                if (session.IsClosing)
                    continue;
                if (!session.IsEstablished)
                {
                    if (now - session.LastReceived > handshakeTicks)
                        session.BeginClose("the client stopped before the handshake completed", TimeSpan.Zero);
                    continue;
                }
                if (now - session.LastReceived > silenceTicks)
                {
                    session.BeginClose($"ping-restart: nothing from the client for {2 * _options.PingRestart.TotalSeconds:0} s", TimeSpan.Zero);
                    continue;
                }
                if (session.CertificateNotAfter is { } notAfter && notAfter <= utcNow)
                {
                    session.Disconnect("HALT,certificate expired", "the client certificate expired");
                    continue;
                }
                if (now - session.LastSent >= pingTicks)
                    session.SendPing();
                session.RetireKeys(now);
                if (session.NeedsRenegotiation(now))
                    session.Renegotiate();
            }
            RemoveDue();
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }

    private void RemoveDue()
    {
        while (_toRemove.TryDequeue(out var session))
        {
            if (!_byId.TryRemove(new KeyValuePair<ulong, TunnelSession>(session.Id, session)))
                continue;
            _byPeerId.TryRemove(new KeyValuePair<uint, TunnelSession>(session.PeerId, session));
            _byClientId.TryRemove(new KeyValuePair<ulong, TunnelSession>(session.PeerSessionId, session));
            if (session.Link is UdpPeerLink udp)
                _byAddress.TryRemove(new KeyValuePair<SocketAddress, TunnelSession>(udp.Address, session));
            ReleaseHandshake(session);
            _ = CloseAndReportAsync(session);
        }
    }

    private async Task CloseAndReportAsync(TunnelSession session)
    {
        await session.CloseAsync().ConfigureAwait(false);
        try
        {
            SessionClosed?.Invoke(session);
        }
        catch (Exception e)
        {
            Log.ObserverFailed(_logger, session.Name, e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _tick.Dispose();
        if (Volatile.Read(ref _handedOver) != 0)
        {
            // The sockets and sessions live on in the next process: close nothing and tell no client anything.
            _byId.Clear();
            return;
        }
        foreach (var udp in _udp)
            udp.Dispose();
        foreach (var tcp in _tcp)
            tcp.Dispose();
        var closing = new List<Task>();
        foreach (var session in _byId.Values)
        {
            session.BeginClose("the server stopped", TimeSpan.FromDays(1));
            closing.Add(session.CloseAsync());
        }
        _byId.Clear();
        _byPeerId.Clear();
        _byClientId.Clear();
        _byAddress.Clear();
        await Task.WhenAll(closing).ConfigureAwait(false);
        _openingWrap.Dispose();
        _v2Unwrap?.Dispose();
    }
}

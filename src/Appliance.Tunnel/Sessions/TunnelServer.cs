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
/// Packets without a session pass a token bucket before any cryptography, and a new session is created only for an
/// opening reset whose tls-crypt / tls-auth wrap verifies: garbage costs a table lookup, never TLS work.
/// Data packets find their session by peer-id (DATA_V2) in one lookup, on the transport's receive thread.
/// </remarks>
public sealed class TunnelServer : IPacketReceiver, IAsyncDisposable
{
    private readonly TunnelServerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<SocketAddress, TunnelSession> _byAddress = new();
    private readonly ConcurrentDictionary<uint, TunnelSession> _byPeerId = new();
    private readonly ConcurrentDictionary<ulong, TunnelSession> _byId = new();
    private readonly List<UdpTransport> _udp = [];
    private readonly List<TcpTransport> _tcp = [];
    private readonly TokenBucket _newSessions;
    private readonly TokenBucket _unattributed;
    private readonly IControlPacketWrapper _openingWrap;
    private readonly Lock _openingLock = new();
    private readonly byte[] _openingPlain = new byte[2048];
    private readonly ITimer _tick;
    private readonly ConcurrentQueue<TunnelSession> _toRemove = new();
    private uint _nextPeerId;
    private long _now;
    private long _refusals;
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
        _logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger<TunnelServer>();
        _newSessions = new TokenBucket(options.NewSessionsPerSecond, options.NewSessionsBurst, _time);
        _unattributed = new TokenBucket(options.UnattributedPacketsPerSecond, options.UnattributedPacketsPerSecond, _time);
        _openingWrap = options.ControlWrapping.CreateServerWrapper();
        _nextPeerId = (uint)RandomNumberGenerator.GetInt32(0, 1 << 16);
        _now = _time.GetTimestamp();
        _tick = _time.CreateTimer(_ => Tick(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public EthernetSwitch Switch { get; }

    /// <summary>Drops of packets that belong to no session (garbage, wrong key, unknown peers, rate limiting).</summary>
    public DirectionCounters Unattributed { get; } = new();

    /// <summary>Clients refused after TLS (certificate revoked, expired, unknown CA, no shared cipher, identity change).</summary>
    public long Refusals => Interlocked.Read(ref _refusals);

    /// <summary>The addresses actually bound (ports resolved when 0 was asked).</summary>
    public IReadOnlyList<ListenEndpoint> BoundEndpoints { get; private set; } = [];

    /// <summary>A coarse clock (refreshed every second) for keepalive bookkeeping on the data path.</summary>
    internal long Now => Volatile.Read(ref _now);

    public IReadOnlyCollection<TunnelSession> Sessions => [.. _byId.Values];

    /// <summary>Binds every listen endpoint; throws with the endpoint and the reason when one cannot be bound.</summary>
    public void Start()
    {
        var bound = new List<ListenEndpoint>();
        foreach (var listen in _options.Listen)
        {
            if (listen.Protocol == TunnelProtocol.Udp)
            {
                var udp = UdpTransport.Start(listen.EndPoint, this);
                _udp.Add(udp);
                bound.Add(listen with { EndPoint = udp.LocalEndPoint });
            }
            else
            {
                var tcp = TcpTransport.Start(listen.EndPoint, this, _options.MaxSessions);
                _tcp.Add(tcp);
                bound.Add(listen with { EndPoint = tcp.LocalEndPoint });
            }
        }
        BoundEndpoints = bound;
        string endpoints = string.Join(", ", bound);
        Log.Listening(_logger, endpoints);
    }

    // ---------------------------------------------------------------- packets in

    public void OnDatagram(Span<byte> packet, SocketAddress from, UdpTransport transport)
    {
        if (packet.IsEmpty)
            return;
        var opcode = OpcodeByte.OpcodeOf(packet[0]);
        if (opcode == Opcode.DataV2)
        {
            if (DataPacketHeader.TryReadPeerId(packet, out uint peerId) && _byPeerId.TryGetValue(peerId, out var byPeer))
                byPeer.ReceiveData(packet, from);
            else
                Unattributed.RecordDrop(DropReason.NoSession, packet.Length);
            return;
        }
        if (_byAddress.TryGetValue(from, out var session))
        {
            if (opcode == Opcode.ControlHardResetClientV2 && PeekSessionId(packet) != session.PeerSessionId)
            {
                // The client restarted from the same address: a new instance replaces the old session.
                if (TryOpen(packet, new UdpPeerLink(transport, from), out var opened))
                    session.BeginClose("the client reconnected as session " + opened.Name, TimeSpan.Zero);
                return;
            }
            if (opcode == Opcode.DataV1)
                session.ReceiveData(packet, from);
            else
                session.ReceiveControl(packet);
            return;
        }
        if (opcode == Opcode.ControlHardResetClientV2)
        {
            TryOpen(packet, new UdpPeerLink(transport, from), out _);
            return;
        }
        Unattributed.RecordDrop(_unattributed.TryTake() ? DropReason.NoSession : DropReason.RateLimited, packet.Length);
    }

    public void OnStreamPacket(Span<byte> packet, TcpPeerLink link)
    {
        var opcode = OpcodeByte.OpcodeOf(packet[0]);
        if (link.Owner is TunnelSession session)
        {
            if (opcode is Opcode.DataV2 or Opcode.DataV1)
                session.ReceiveData(packet, null);
            else
                session.ReceiveControl(packet);
            return;
        }
        if (opcode != Opcode.ControlHardResetClientV2 || !TryOpen(packet, link, out var opened))
        {
            // A TCP peer that does not open properly gets no second chance.
            Unattributed.RecordDrop(opcode == Opcode.ControlHardResetClientV2 ? DropReason.BadControlAuthentication : DropReason.NoSession, packet.Length);
            link.Close();
            return;
        }
        link.Owner = opened;
    }

    public void OnStreamClosed(TcpPeerLink link)
    {
        if (link.Owner is TunnelSession session)
            session.BeginClose("the TCP connection closed", TimeSpan.Zero);
    }

    private static ulong PeekSessionId(ReadOnlySpan<byte> packet) =>
        packet.Length >= 9 ? BinaryPrimitives.ReadUInt64BigEndian(packet.Slice(1, 8)) : 0;

    /// <summary>Verifies an opening reset and creates its session; every refusal is counted.</summary>
    private bool TryOpen(ReadOnlySpan<byte> wire, IPeerLink link, out TunnelSession session)
    {
        session = null!;
        if (!_newSessions.TryTake())
        {
            Unattributed.RecordDrop(DropReason.RateLimited, wire.Length);
            return false;
        }
        if (_byId.Count >= _options.MaxSessions)
        {
            Unattributed.RecordDrop(DropReason.RateLimited, wire.Length);
            Log.NotAccepted(_logger, link.Remote, $"the server already has its maximum of {_options.MaxSessions} sessions");
            return false;
        }
        ulong peerSessionId;
        WrapReplayId replayId;
        byte[] plain;
        lock (_openingLock)
        {
            var unwrap = _openingWrap.Unwrap(wire, _openingPlain, out int length, out replayId);
            if (unwrap != UnwrapResult.Ok)
            {
                Unattributed.RecordDrop(UnwrapResults.ToDropReason(unwrap), wire.Length);
                return false;
            }
            if (ControlPacket.TryParse(_openingPlain.AsSpan(0, length), out var packet) != ControlParseResult.Ok
                || packet.Opcode != Opcode.ControlHardResetClientV2 || packet.KeyId != 0 || packet.MessageId != 0 || packet.SessionId == 0)
            {
                Unattributed.RecordDrop(DropReason.Malformed, wire.Length);
                return false;
            }
            peerSessionId = packet.SessionId;
            plain = _openingPlain.AsSpan(0, length).ToArray();
        }

        ulong id;
        do
            id = BinaryPrimitives.ReadUInt64BigEndian(RandomNumberGenerator.GetBytes(8));
        while (id == 0 || _byId.ContainsKey(id));
        uint peerId = AllocatePeerId();
        session = new TunnelSession(this, id, peerSessionId, peerId, link, _options, _time, _logger);
        _byId[id] = session;
        _byPeerId[peerId] = session;
        if (link is UdpPeerLink udp)
            _byAddress[udp.Address] = session;
        session.Open(plain, replayId);
        return true;
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

    /// <summary>An authenticated data packet came from a new address: NAT rebinding. The session follows it.</summary>
    internal void Float(TunnelSession session, UdpPeerLink link, SocketAddress from)
    {
        string previous = link.Remote;
        var old = link.Address;
        var address = link.MoveTo(from);
        _byAddress.TryRemove(new KeyValuePair<SocketAddress, TunnelSession>(old, session));
        if (_byAddress.TryGetValue(address, out var other) && other != session)
            other.BeginClose("another session took over its address", TimeSpan.Zero);
        _byAddress[address] = session;
        Log.Floated(_logger, session.Name, session.CommonName ?? "?", previous, link.Remote);
    }

    internal void CountRefusal() => Interlocked.Increment(ref _refusals);

    /// <summary>A client authenticated as a new session: its older sessions go now, as in a 2.6 server without duplicate-cn.</summary>
    /// <remarks>
    /// A client that was killed or lost power says no goodbye, and after a restart (nobind: a new source port, so no
    /// reset from the same address) nothing else would end its old session before ping-restart, 2 min later. Until then
    /// the old session's port would still own the MACs behind the client, and the switch would drop every frame the new
    /// session brings from them (<see cref="Counters.DropReason.MacOwnedByOtherPort"/>): no PPPoE redial for 2 minutes.
    /// </remarks>
    internal void ReplaceOlderSessions(TunnelSession established)
    {
        foreach (var other in _byId.Values)
        {
            if (other != established && other.IsEstablished && string.Equals(other.CommonName, established.CommonName, StringComparison.Ordinal))
                other.BeginClose($"replaced by session {established.Name} of the same client from {established.Link.Remote}", TimeSpan.Zero);
        }
    }

    internal void RemoveSoon(TunnelSession session)
    {
        _toRemove.Enqueue(session);
        ThreadPool.UnsafeQueueUserWorkItem(_ => RemoveDue(), null);
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
            long now = _time.GetTimestamp();
            Volatile.Write(ref _now, now);
            long pingTicks = Ticks(_options.Ping);
            long silenceTicks = 2 * Ticks(_options.PingRestart);
            long handshakeTicks = Ticks(Control.Reliability.ReliabilityOptions.Default.HandshakeWindow) + Ticks(_options.CloseGrace);
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

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private void RemoveDue()
    {
        while (_toRemove.TryDequeue(out var session))
        {
            if (!_byId.TryRemove(session.Id, out _))
                continue;
            _byPeerId.TryRemove(new KeyValuePair<uint, TunnelSession>(session.PeerId, session));
            if (session.Link is UdpPeerLink udp)
                _byAddress.TryRemove(new KeyValuePair<SocketAddress, TunnelSession>(udp.Address, session));
            _ = session.CloseAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _tick.Dispose();
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
        _byAddress.Clear();
        await Task.WhenAll(closing).ConfigureAwait(false);
        _openingWrap.Dispose();
    }
}

using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Appliance.Tunnel.Control;
using Appliance.Tunnel.Control.Tls;
using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.Counters;
using Appliance.Tunnel.DataChannel;
using Appliance.Tunnel.Diagnostics;
using Appliance.Tunnel.Switching;
using Appliance.Tunnel.Transport;
using Microsoft.Extensions.Logging;

namespace Appliance.Tunnel.Sessions;

/// <summary>One connected client: its link, its control wrap, its key states, and (once authenticated) its port on the switch.</summary>
/// <remarks>
/// Parts: <see cref="SessionControlWrap"/> (control packets in and out), <see cref="SessionKeySlots"/> (key states by
/// key-id), the data path below (decrypt → switch; switch → encrypt), and the life cycle, reported to the server
/// through <see cref="ISessionEvents"/>. The session gets the switch and the clock passed in; it never reaches into
/// the server.
/// Threads: the transport's receive thread calls <see cref="ReceiveControl"/> and <see cref="ReceiveData"/> (one at a
/// time for a session); any thread may call <see cref="TrySend"/> (serialised by a lock: one packet-id counter per key);
/// key-state loops call <see cref="SendControl"/> (serialised inside the control wrap).
/// </remarks>
public sealed class TunnelSession : IFrameSink
{
    private readonly TunnelServerOptions _options;
    private readonly CoarseClock _clock;
    private readonly TimeProvider _time;
    private readonly EthernetSwitch _switch;
    private readonly DirectionCounters _unattributed;
    private readonly ISessionEvents _events;
    private readonly SessionKeySlots _keys = new();
    private readonly SessionControlWrap _wrap;
    private readonly Lock _sendLock = new();
    private readonly Lock _closeLock = new();
    private readonly byte[] _sendBuffer;
    private readonly IPeerLink _link;
    private readonly byte[]? _clientWrapKey;
    private X509Certificate2? _certificate;
    private volatile bool _closing;
    private long _lastReceived;
    private long _lastSent;
    private long _closeAt;
    private string? _closeReason;
    private int _renegotiations;
    private int _closed;

    /// <param name="clientKey">The tls-crypt-v2 client key Kc this session's control packets are wrapped with, or null
    /// for the server's shared key. Copied: the caller keeps its own.</param>
    internal TunnelSession(ulong id, ulong peerSessionId, uint peerId, IPeerLink link, TunnelServerOptions options,
        SessionContext context, StaticKey? clientKey, uint wrapCountersUsed = 0)
    {
        _clientWrapKey = clientKey is null ? null : clientKey.Bytes.ToArray();
        _options = options;
        _clock = context.Clock;
        _time = context.Clock.Time;
        _switch = context.Switch;
        _unattributed = context.Unattributed;
        _events = context.Events;
        Logger = context.Logger;
        Id = id;
        PeerSessionId = peerSessionId;
        PeerId = peerId;
        _link = link;
        _sendBuffer = new byte[options.MaxFrameLength + 64];
        _wrap = new SessionControlWrap(CreateWrapper, _time, wrapCountersUsed);
        ServerCiphers = [.. options.Ciphers];
        ServerOptionsString = BuildOptionsString(link.IsDatagram, options.ControlWrapping);
        ConnectedAt = _time.GetUtcNow();
        _lastReceived = _lastSent = _time.GetTimestamp();
    }

    /// <summary>Our 8-byte session id (never 0): for UDP the stateless cookie the client acknowledged, for TCP random.</summary>
    public ulong Id { get; }
    public ulong PeerSessionId { get; }
    /// <summary>The pushed 24-bit peer-id that DATA_V2 packets carry.</summary>
    public uint PeerId { get; }
    public string Name => Id.ToString("x16", CultureInfo.InvariantCulture);
    public IPeerLink Link => _link;
    public DateTimeOffset ConnectedAt { get; private init; }
    /// <summary>The client certificate's common name, once authenticated.</summary>
    public string? CommonName { get; private set; }
    public DataCipher Cipher { get; private set; }
    public PeerInfo? Peer { get; private set; }
    public string? TlsDescription { get; private set; }
    /// <summary>The client's certificate serial number (hex), once authenticated.</summary>
    public string? CertificateSerial { get; private set; }
    /// <summary>When the client's certificate expires, once authenticated; the session ends then.</summary>
    public DateTimeOffset? CertificateNotAfter { get; private set; }
    public SwitchPort? Port { get; private set; }
    /// <summary>The client's PPPoE discovery and PPP negotiation as seen on its port, once authenticated.</summary>
    public PppoeSessionTracker? Pppoe { get; private set; }
    public bool IsEstablished => Port is not null;
    public bool IsClosing => _closing;
    public int Renegotiations => Volatile.Read(ref _renegotiations);
    public int CurrentKeyId => _keys.Send?.KeyId ?? -1;
    /// <summary>Why the session ended (or is ending); null while it is live.</summary>
    public string? CloseReason => _closeReason;

    /// <summary>The source slot whose handshake allowance this session holds until it authenticates or ends.</summary>
    internal int HandshakeSlot { get; init; }

    /// <summary>True once, for whoever ends the handshake first (authentication or removal): the allowance is released once.</summary>
    internal bool TryEndHandshake() => Interlocked.Exchange(ref _handshakeEnded, 1) == 0;
    private int _handshakeEnded;

    internal ILogger Logger { get; }
    internal DataCipher[] ServerCiphers { get; }
    internal string ServerOptionsString { get; }
    internal long LastReceived => Volatile.Read(ref _lastReceived);
    internal long LastSent => Volatile.Read(ref _lastSent);

    /// <summary>Turns of the control loops of the keys this session holds now (tests: an idle session must not spin).</summary>
    internal long ControlLoopTurnsForTests => _keys.Turns;

    private IControlPacketWrapper CreateWrapper()
    {
        if (_clientWrapKey is null)
            return _options.ControlWrapping.CreateServerWrapper();
        using var key = StaticKey.FromBytes(_clientWrapKey);
        return ControlWrapping.CreateTlsCryptV2ServerWrapper(key);
    }

    private static string BuildOptionsString(bool udp, ControlWrapping wrapping)
    {
        // What a 2.6 client expects (brief §4.2): a mismatch only produces warnings, so mirror the client's string.
        var options = new StringBuilder("V4,dev-type tap,");
        options.Append(udp ? "link-mtu 1573,tun-mtu 1500,proto UDPv4," : "link-mtu 1575,tun-mtu 1500,proto TCPv4_SERVER,");
        if (wrapping.Mode == ControlWrapMode.TlsAuth)
            options.Append("keydir 0,");
        options.Append("auth SHA1,keysize 128,");
        if (wrapping.Mode == ControlWrapMode.TlsAuth)
            options.Append("tls-auth,");
        options.Append("key-method 2,tls-server");
        return options.ToString();
    }

    // ---------------------------------------------------------------- opening

    /// <summary>Opens key-id 0 with the client's reset, already unwrapped by the server; our reset answers it (TCP).</summary>
    internal void Open(ReadOnlySpan<byte> plainReset, WrapReplayId replayId)
    {
        _wrap.AcceptOpening(replayId);
        var key = new KeyState(this, 0, _options, _time);
        _keys.SetFirst(key);
        key.Post(plainReset.ToArray());
        key.Start(sendReset: false);
    }

    /// <summary>Opens key-id 0 after a stateless answer (UDP): the client's reset and our answer are history, proven by
    /// <paramref name="plainNext"/>, the client's next packet, which acknowledges our reset under this session's id.</summary>
    /// <remarks>Both packets are in the key's inbox before its loop starts, so our reset is acknowledged before it could
    /// be sent again.</remarks>
    internal void OpenAfterCookie(ReadOnlySpan<byte> plainReset, ReadOnlySpan<byte> plainNext, WrapReplayId replayId)
    {
        _wrap.AcceptOpening(replayId);
        Touch();
        var key = new KeyState(this, 0, _options, _time);
        _keys.SetFirst(key);
        key.Post(plainReset.ToArray());
        key.Post(plainNext.ToArray());
        key.Start(sendReset: false);
    }

    // ---------------------------------------------------------------- receive (transport thread)

    /// <summary>A wrapped control packet for this session.</summary>
    internal void ReceiveControl(ReadOnlySpan<byte> wire)
    {
        if (_wrap.Receive(wire, out var plain) is { } dropped)
        {
            CountDrop(dropped, wire.Length);
            return;
        }
        if (ControlPacket.TryParse(plain, out var packet) != ControlParseResult.Ok
            || packet.SessionId != PeerSessionId
            || (packet.AckCount > 0 && packet.PeerSessionId != Id))
        {
            CountDrop(DropReason.Malformed, wire.Length);
            return;
        }
        Touch();
        var key = _keys[packet.KeyId];
        if (key is { IsCarriedOver: true })
        {
            // Data keys only: the TLS session behind them stayed in the previous process.
            CountDrop(DropReason.UnknownKey, wire.Length);
            return;
        }
        if (key is null || key.Phase == KeyPhase.Closed)
        {
            if (packet.Opcode == Opcode.ControlSoftResetV1 && packet.KeyId != 0 && IsEstablished && !_closing)
                key = BeginKey(packet.KeyId, weInitiate: false);
            if (key is null)
            {
                CountDrop(DropReason.UnknownKey, wire.Length);
                return;
            }
        }
        if (!key.Post(plain.ToArray()))
            CountDrop(DropReason.QueueFull, wire.Length);
    }

    /// <summary>A DATA_V1/V2 packet for this session: decrypt in place, then to the switch (or ping, or exit).</summary>
    internal void ReceiveData(Span<byte> packet, SocketAddress? from)
    {
        int keyId = OpcodeByte.KeyIdOf(packet[0]);
        var data = _keys[keyId]?.Data;
        if (data is null)
        {
            CountDrop(DropReason.UnknownKey, packet.Length);
            return;
        }
        var result = data.Decrypt(packet, out int offset, out int length);
        if (result != DataDecryptResult.Ok)
        {
            CountDrop(DataDecryptResults.ToDropReason(result), packet.Length);
            return;
        }
        if (from is not null && _link is UdpPeerLink udp && !udp.Address.Equals(from) && !_events.TryFloat(this, udp, from))
        {
            // Genuine, but from an address another live session owns: that session is left alone.
            CountDrop(DropReason.AddressMismatch, packet.Length);
            return;
        }
        Touch();

        var payload = packet.Slice(offset, length);
        if (PingPacket.IsPing(payload))
            return;
        if (Occ.TryReadOpcode(payload, out var occ))
        {
            if (occ == OccOpcode.Exit)
                OnClientExit();
            return;
        }
        var port = Port;
        if (port is null || _closing)
        {
            CountDrop(DropReason.PortClosed, length);
            return;
        }
        _switch.Forward(port, payload);
    }

    private void Touch() => Volatile.Write(ref _lastReceived, _clock.Now);

    private void CountDrop(DropReason reason, int length)
    {
        var port = Port;
        if (port is not null)
            port.Counters.In.RecordDrop(reason, length);
        else
            _unattributed.RecordDrop(reason, length);
    }

    // ---------------------------------------------------------------- send

    /// <summary>Frames from the switch to this client: encrypted with the newest key and sent. Allocation-free.</summary>
    public bool TrySend(ReadOnlySpan<byte> frame, out DropReason reason)
    {
        var key = _keys.Send?.Data;
        if (key is null || _closing)
        {
            reason = _closing ? DropReason.PortClosed : DropReason.UnknownKey;
            return false;
        }
        if (frame.Length + DataPacketHeader.OverheadV2 + IPeerLink.Headroom > _sendBuffer.Length)
        {
            reason = DropReason.Oversize;
            return false;
        }
        return SendPayload(key, frame, out reason);
    }

    private bool SendPayload(DataChannelCrypto key, ReadOnlySpan<byte> payload, out DropReason reason)
    {
        lock (_sendLock)
        {
            var packet = _sendBuffer.AsSpan(IPeerLink.Headroom);
            payload.CopyTo(packet[DataPacketHeader.OverheadV2..]);
            var encrypt = key.EncryptV2(packet, payload.Length, out int length);
            if (encrypt != DataEncryptResult.Ok)
            {
                reason = DropReason.UnknownKey;
                return false;
            }
            if (!_link.Send(_sendBuffer, IPeerLink.Headroom, length))
            {
                reason = DropReason.DeviceError;
                return false;
            }
        }
        Volatile.Write(ref _lastSent, _clock.Now);
        reason = default;
        return true;
    }

    internal void SendPing()
    {
        var key = _keys.Send?.Data;
        if (key is not null)
            SendPayload(key, PingPacket.Payload, out _);
    }

    /// <summary>Builds, wraps and sends one control packet; called by key-state loops.</summary>
    internal void SendControl(Opcode opcode, int keyId, ReadOnlySpan<uint> acks, uint messageId, ReadOnlySpan<byte> payload)
    {
        if (_wrap.Send(_link, opcode, keyId, Id, acks, PeerSessionId, messageId, payload))
            Volatile.Write(ref _lastSent, _clock.Now);
    }

    // ---------------------------------------------------------------- key life cycle (key-state callbacks)

    private KeyState? BeginKey(int keyId, bool weInitiate)
    {
        var key = _keys.GetOrBegin(keyId, () => new KeyState(this, keyId, _options, _time), out bool created);
        if (created)
            key!.Start(sendReset: weInitiate);
        return key;
    }

    /// <summary>Starts a server-initiated renegotiation with the next key-id (1..7, never 0 again).</summary>
    internal void Renegotiate()
    {
        var current = _keys.Send;
        if (current is null || _closing)
            return;
        int next = current.KeyId % 7 + 1;
        BeginKey(next, weInitiate: true);
    }

    /// <summary>True when the key in use is older than the renegotiation interval or near its AEAD usage limit.</summary>
    internal bool NeedsRenegotiation(long now)
    {
        var current = _keys.Send;
        if (current is null || _closing)
            return false;
        if (current.Data?.RenegotiationDue == true)
            return true;
        if (_options.RenegotiateAfter is not { } after)
            return false;
        return _time.GetElapsedTime(current.ActivatedAt, now) >= after;
    }

    internal bool AcceptsIdentity(KeyState key, string commonName)
    {
        if (key.KeyId == 0 && !IsEstablished)
            return true;
        if (string.Equals(commonName, CommonName, StringComparison.Ordinal))
            return true;
        OnRefused(key, $"renegotiation presented '{commonName}', not the session's '{CommonName}'");
        return false;
    }

    internal void OnKeyActive(KeyState key, DataCipher cipher, PeerInfo peer, TlsControlSession tls)
    {
        bool first = !IsEstablished;
        if (first)
        {
            Cipher = cipher;
            Peer = peer;
            CommonName = tls.PeerCommonName;
            _certificate = tls.PeerCertificate;
            CertificateSerial = tls.PeerCertificate?.SerialNumber;
            CertificateNotAfter = tls.PeerCertificate is { } certificate ? new DateTimeOffset(certificate.NotAfter.ToUniversalTime()) : null;
            TlsDescription = $"{tls.Protocol} {tls.CipherSuite}";
            _events.Authenticated(this);
            Port = _switch.AddPort(CommonName ?? Name, PortKind.Session, this);
            // Every session watches its own PPPoE exchange, so an operator can see where negotiation stalls.
            Pppoe = WatchPppoe(_switch, Port, _time);
        }
        long retireAt = _clock.Now + _clock.Ticks(_options.TransitionWindow);
        _keys.Activate(key, retireAt);
        if (first)
        {
            string cipherName = DataCiphers.Name(cipher);
            Log.SessionUp(Logger, Name, CommonName ?? "?", _link.Remote, cipherName, PeerId, TlsDescription ?? "",
                peer.Version ?? "unknown version", peer.Platform ?? "unknown platform");
            _events.Established(this);
        }
        else
        {
            Interlocked.Increment(ref _renegotiations);
            Log.Renegotiated(Logger, Name, CommonName ?? "?", key.KeyId, key.ResetQueued && key.KeyId != 0 ? "by the server or the client" : "by the client");
        }
    }

    internal void OnKeyFailed(KeyState key, string reason)
    {
        key.Close();
        Log.KeyFailed(Logger, Name, CommonName ?? "?", key.KeyId, reason);
        // Without a working key 0 there is no session; a failed renegotiation leaves the current key in use.
        if (!IsEstablished || key == _keys.Send)
            BeginClose(reason, TimeSpan.Zero);
    }

    internal void OnRefused(KeyState key, string reason)
    {
        key.Close();
        _events.Refused(this);
        Log.Refused(Logger, Name, _link.Remote, reason);
        BeginClose("refused: " + reason, _options.CloseGrace);
    }

    internal void OnClientExit() => BeginClose("the client disconnected (EXIT)", _options.CloseGrace);

    internal string BuildPushReply()
    {
        var peer = Peer ?? PeerInfo.Empty;
        return PushReply.Build(PeerId, Cipher, peer, (int)_options.Ping.TotalSeconds, (int)_options.PingRestart.TotalSeconds);
    }

    // ---------------------------------------------------------------- closing

    /// <summary>Sends a command to the client (RESTART, HALT, each optionally with ",reason") and closes after the grace period.</summary>
    internal void Disconnect(string command, string reason)
    {
        var key = _keys.Send;
        if (key is not null)
            _ = key.SendCommandAsync(command);
        BeginClose(reason, _options.CloseGrace);
    }

    /// <summary>Another session took this one's place: the client is told (<paramref name="command"/>), the port leaves the
    /// switch now, so the MAC addresses behind the client are free for the new session's port at once, and the session
    /// itself lingers for the grace period to deliver the command.</summary>
    internal void Supersede(string command, string reason)
    {
        if (Port is { } port)
            _switch.RemovePort(port);
        Disconnect(command, reason);
    }

    /// <summary>Marks the session for removal at once or after <paramref name="grace"/> (to ACK and flush a last message).</summary>
    internal void BeginClose(string reason, TimeSpan grace)
    {
        lock (_closeLock)
        {
            if (_closeReason is not null)
                return;
            _closeReason = reason;
            Volatile.Write(ref _closeAt, _clock.Now + _clock.Ticks(grace));
        }
        if (grace <= TimeSpan.Zero)
            _events.RemoveSoon(this);
    }

    internal bool CloseDue(long now)
    {
        lock (_closeLock)
            return _closeReason is not null && now >= Volatile.Read(ref _closeAt);
    }

    /// <summary>Drops retiring keys whose transition window ended.</summary>
    internal void RetireKeys(long now) => _keys.RetireDue(now);

    /// <summary>Takes the session off the switch and stops every key state. Called once, by the server.</summary>
    internal async Task CloseAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1)
            return;
        _closing = true;
        var port = Port;
        if (port is not null)
        {
            _switch.RemovePort(port);
            var counters = port.Counters.Snapshot();
            string drops = DropSummary(counters);
            Log.SessionDown(Logger, Name, CommonName ?? "?", _link.Remote, _closeReason ?? "closed",
                counters.In.Frames, counters.Out.Frames, counters.In.DroppedFrames, counters.Out.DroppedFrames, drops);
        }
        foreach (var key in _keys.TakeAll())
        {
            if (key is not null)
                await key.DisposeAsync().ConfigureAwait(false);
        }
        _link.Close();
        _wrap.Close();
    }

    private static string DropSummary(PortCountersSnapshot counters)
    {
        var summary = new StringBuilder();
        for (int i = 0; i < DropReasons.Count; i++)
        {
            var reason = (DropReason)i;
            long dropped = counters.In.Drops(reason) + counters.Out.Drops(reason);
            if (dropped > 0)
                summary.Append(summary.Length == 0 ? " (" : ", ").Append(DropReasons.Key(reason)).Append(' ').Append(dropped);
        }
        if (summary.Length > 0)
            summary.Append(')');
        return summary.ToString();
    }

    /// <summary>Re-checks the client certificate against the current policy (after a CRL change); false if it is now refused.</summary>
    internal bool StillAccepted(ClientCertificateValidator validator)
    {
        var certificate = _certificate;
        return certificate is null || validator.Validate(certificate).IsAccepted;
    }

    // ---------------------------------------------------------------- carried over to the next process

    /// <summary>This session as the next process takes it over (UDP only; call with the transports stopped).</summary>
    internal SessionState? Export(uint packetIdMargin, uint wrapMargin)
    {
        if (_link is not UdpPeerLink udp || Port is not { } port || _closing || _certificate is null || _keys.Send is not { } send)
            return null;
        var keys = new List<DataKeyState>();
        foreach (var key in _keys.Live())
        {
            if (key.Data is { } data)
                keys.Add(data.Export(packetIdMargin));
        }
        var (wrapTime, wrapCounter, receive) = _wrap.Export(wrapMargin);
        var macs = new List<string>();
        foreach (var entry in _switch.Macs.Snapshot())
        {
            if (entry.Port == port)
                macs.Add(entry.Address.ToString());
        }
        var address = udp.Address;
        return new SessionState(Id, PeerSessionId, PeerId, (int)address.Family, address.Buffer[..address.Size].ToArray(),
            CommonName ?? "", _certificate.RawData, Cipher, TlsDescription, Peer, ConnectedAt, Renegotiations,
            _clientWrapKey?.ToArray(), wrapTime, wrapCounter, receive?.SenderTime, receive?.Highest ?? 0, receive?.Seen ?? 0,
            send.KeyId, keys, macs);
    }

    /// <summary>A session carried over from the previous process: its port joins the switch at once with the MACs it
    /// owned, its data keys go on where they stopped, and its next renegotiation starts a fresh TLS session.</summary>
    internal static TunnelSession Restore(SessionState state, UdpPeerLink link, TunnelServerOptions options, SessionContext context)
    {
        // No key (an empty or absent field) means the server's shared key.
        using var clientKey = state.ClientWrapKey is { Length: StaticKey.Size } kc ? StaticKey.FromBytes(kc) : null;
        var session = new TunnelSession(state.Id, state.PeerSessionId, state.PeerId, link, options, context, clientKey)
        {
            ConnectedAt = state.ConnectedAt,
        };
        session._wrap.Restore(state.WrapTime, state.WrapCounter, state.ReceiveSenderTime, state.ReceiveHighest, state.ReceiveSeen);
        session._certificate = X509CertificateLoader.LoadCertificate(state.CertificateDer);
        session.CommonName = state.CommonName;
        session.CertificateSerial = session._certificate.SerialNumber;
        session.CertificateNotAfter = new DateTimeOffset(session._certificate.NotAfter.ToUniversalTime());
        session.Cipher = state.Cipher;
        session.Peer = state.Peer;
        session.TlsDescription = state.TlsDescription;
        session._renegotiations = state.Renegotiations;
        KeyState? send = null;
        foreach (var keyState in state.Keys)
        {
            var key = KeyState.CarriedOver(session, DataChannelCrypto.Restore(keyState, context.Clock.Time), options, context.Clock.Time);
            session._keys.SetCarriedOver(key);
            if (keyState.KeyId == state.SendKeyId)
                send = key;
        }
        if (send is not null)
            session._keys.Activate(send, context.Clock.Now + context.Clock.Ticks(options.TransitionWindow));
        session.Port = context.Switch.AddPort(state.CommonName, PortKind.Session, session);
        session.Pppoe = WatchPppoe(context.Switch, session.Port, context.Clock.Time);
        foreach (string mac in state.Macs)
            context.Switch.Teach(session.Port, MacAddress.Parse(mac));
        return session;
    }

    /// <summary>The port's PPPoE tracker; each time the client's LCP opens, a <see cref="LargeFrameCheck"/> runs in the background.</summary>
    private static PppoeSessionTracker WatchPppoe(EthernetSwitch sw, SwitchPort port, TimeProvider time)
    {
        var tracker = new PppoeSessionTracker(time);
        tracker.LcpOpened = () => _ = LargeFrameCheck.RunAsync(sw, port, tracker, time);
        port.Observer = tracker;
        return tracker;
    }

    public override string ToString() => $"session {Name} ('{CommonName}') from {_link.Remote}";
}

/// <summary>What every session of a server shares: the switch, the clock, the unattributed drop counters, the way back.</summary>
internal sealed record SessionContext(EthernetSwitch Switch, CoarseClock Clock, DirectionCounters Unattributed, ISessionEvents Events, ILogger Logger);

using System.Globalization;
using System.Net;
using System.Text;
using Appliance.Tunnel.Control;
using Appliance.Tunnel.Control.Tls;
using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.Counters;
using Appliance.Tunnel.DataChannel;
using Appliance.Tunnel.Diagnostics;
using Appliance.Tunnel.Replay;
using Appliance.Tunnel.Switching;
using Appliance.Tunnel.Transport;
using Microsoft.Extensions.Logging;

namespace Appliance.Tunnel.Sessions;

/// <summary>One connected client: its link, its key states, and (once authenticated) its port on the switch.</summary>
/// <remarks>
/// Threads: the transport's receive thread calls <see cref="ReceiveControl"/> and <see cref="ReceiveData"/> (one at a
/// time for a session); any thread may call <see cref="TrySend"/> (serialised by a lock: one packet-id counter per key);
/// key-state loops call <see cref="SendControl"/> (serialised by another lock: one wrap replay counter).
/// </remarks>
public sealed class TunnelSession : IFrameSink
{
    private readonly TunnelServer _server;
    private readonly TunnelServerOptions _options;
    private readonly TimeProvider _time;
    private readonly KeyState?[] _keys = new KeyState?[8];
    private readonly Lock _keysLock = new();
    private readonly Lock _sendLock = new();
    private readonly Lock _controlLock = new();
    private readonly byte[] _sendBuffer;
    private readonly byte[] _controlPlain = new byte[2048];
    private readonly byte[] _controlWire = new byte[2048 + IPeerLink.Headroom];
    private readonly byte[] _receivePlain = new byte[2048];
    private readonly IControlPacketWrapper _sendWrap;
    private readonly IControlPacketWrapper _receiveWrap;
    private readonly WrapReplayProtection _receiveReplay;
    private readonly uint _wrapTime;
    private uint _wrapCounter;
    private volatile KeyState? _sendKey;
    private readonly IPeerLink _link;
    private volatile bool _closing;
    private long _lastReceived;
    private long _lastSent;
    private long _closeAt;
    private string? _closeReason;
    private int _renegotiations;
    private int _closed;

    internal TunnelSession(TunnelServer server, ulong id, ulong peerSessionId, uint peerId, IPeerLink link,
        TunnelServerOptions options, TimeProvider time, ILogger logger)
    {
        _server = server;
        _options = options;
        _time = time;
        Id = id;
        PeerSessionId = peerSessionId;
        PeerId = peerId;
        _link = link;
        Logger = logger;
        _sendBuffer = new byte[options.MaxFrameLength + 64];
        _sendWrap = options.ControlWrapping.CreateServerWrapper();
        _receiveWrap = options.ControlWrapping.CreateServerWrapper();
        _receiveReplay = new WrapReplayProtection(time);
        _wrapTime = (uint)time.GetUtcNow().ToUnixTimeSeconds();
        ServerCiphers = [.. options.Ciphers];
        ServerOptionsString = BuildOptionsString(link.IsDatagram, options.ControlWrapping);
        ConnectedAt = time.GetUtcNow();
        _lastReceived = _lastSent = time.GetTimestamp();
    }

    /// <summary>Our 8-byte session id (random, never 0).</summary>
    public ulong Id { get; }
    public ulong PeerSessionId { get; }
    /// <summary>The pushed 24-bit peer-id that DATA_V2 packets carry.</summary>
    public uint PeerId { get; }
    public string Name => Id.ToString("x16", CultureInfo.InvariantCulture);
    public IPeerLink Link => _link;
    public DateTimeOffset ConnectedAt { get; }
    /// <summary>The client certificate's common name, once authenticated.</summary>
    public string? CommonName { get; private set; }
    public DataCipher Cipher { get; private set; }
    public PeerInfo? Peer { get; private set; }
    public string? TlsDescription { get; private set; }
    /// <summary>The client's certificate serial number (hex), once authenticated.</summary>
    public string? CertificateSerial { get; private set; }
    public SwitchPort? Port { get; private set; }
    /// <summary>The client's PPPoE discovery and PPP negotiation as seen on its port, once authenticated.</summary>
    public PppoeSessionTracker? Pppoe { get; private set; }
    public bool IsEstablished => Port is not null;
    public bool IsClosing => _closing;
    public int Renegotiations => Volatile.Read(ref _renegotiations);
    public int CurrentKeyId => _sendKey?.KeyId ?? -1;

    internal ILogger Logger { get; }
    internal DataCipher[] ServerCiphers { get; }
    internal string ServerOptionsString { get; }
    internal long LastReceived => Volatile.Read(ref _lastReceived);

    /// <summary>Turns of the control loops of the keys this session holds now (tests: an idle session must not spin).</summary>
    internal long ControlLoopTurnsForTests
    {
        get
        {
            long turns = 0;
            lock (_keysLock)
            {
                foreach (var key in _keys)
                    turns += key?.Turns ?? 0;
            }
            return turns;
        }
    }
    internal long LastSent => Volatile.Read(ref _lastSent);

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

    // ---------------------------------------------------------------- receive (transport thread)

    /// <summary>The opening reset, already unwrapped by the server: creates key-id 0 and hands it the packet.</summary>
    internal void Open(ReadOnlySpan<byte> plainReset, WrapReplayId replayId)
    {
        _receiveReplay.TryAccept(replayId);
        var key = new KeyState(this, 0, _options, _time);
        lock (_keysLock)
            _keys[0] = key;
        key.Post(plainReset.ToArray());
        key.Start(sendReset: false);
    }

    /// <summary>A wrapped control packet for this session.</summary>
    internal void ReceiveControl(ReadOnlySpan<byte> wire)
    {
        var unwrap = _receiveWrap.Unwrap(wire, _receivePlain, out int length, out var replayId);
        if (unwrap != UnwrapResult.Ok)
        {
            CountDrop(UnwrapResults.ToDropReason(unwrap), wire.Length);
            return;
        }
        if (_receiveReplay.TryAccept(replayId) != ReplayCheck.Accepted)
        {
            CountDrop(DropReason.Replay, wire.Length);
            return;
        }
        var plain = _receivePlain.AsSpan(0, length);
        if (ControlPacket.TryParse(plain, out var packet) != ControlParseResult.Ok
            || packet.SessionId != PeerSessionId
            || (packet.AckCount > 0 && packet.PeerSessionId != Id))
        {
            CountDrop(DropReason.Malformed, wire.Length);
            return;
        }
        Touch();
        var key = _keys[packet.KeyId];
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
        Touch();
        if (from is not null && _link is UdpPeerLink udp && !udp.Address.Equals(from))
            _server.Float(this, udp, from);

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
        _server.Switch.Forward(port, payload);
    }

    private void Touch() => Volatile.Write(ref _lastReceived, _server.Now);

    private void CountDrop(DropReason reason, int length)
    {
        var port = Port;
        if (port is not null)
            port.Counters.In.RecordDrop(reason, length);
        else
            _server.Unattributed.RecordDrop(reason, length);
    }

    // ---------------------------------------------------------------- send

    /// <summary>Frames from the switch to this client: encrypted with the newest key and sent. Allocation-free.</summary>
    public bool TrySend(ReadOnlySpan<byte> frame, out DropReason reason)
    {
        var key = _sendKey?.Data;
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
        Volatile.Write(ref _lastSent, _server.Now);
        reason = default;
        return true;
    }

    internal void SendPing()
    {
        var key = _sendKey?.Data;
        if (key is not null)
            SendPayload(key, PingPacket.Payload, out _);
    }

    /// <summary>Builds, wraps and sends one control packet; called by key-state loops.</summary>
    internal void SendControl(Opcode opcode, int keyId, ReadOnlySpan<uint> acks, uint messageId, ReadOnlySpan<byte> payload)
    {
        lock (_controlLock)
        {
            if (!ControlPacket.TryWrite(_controlPlain, opcode, keyId, Id, acks, PeerSessionId, messageId, payload, out int plainLength))
                return;
            var replayId = new WrapReplayId(++_wrapCounter, _wrapTime);
            var wire = _controlWire.AsSpan(IPeerLink.Headroom);
            if (!_sendWrap.TryWrap(_controlPlain.AsSpan(0, plainLength), replayId, wire, out int wireLength))
                return;
            _link.Send(_controlWire, IPeerLink.Headroom, wireLength);
        }
        Volatile.Write(ref _lastSent, _server.Now);
    }

    // ---------------------------------------------------------------- key life cycle (key-state callbacks)

    private KeyState? BeginKey(int keyId, bool weInitiate)
    {
        KeyState key;
        lock (_keysLock)
        {
            var existing = _keys[keyId];
            if (existing is not null && existing.Phase != KeyPhase.Closed)
                return existing;
            // Only one negotiation at a time besides the keys in use.
            for (int i = 0; i < _keys.Length; i++)
            {
                if (_keys[i] is { Phase: KeyPhase.Negotiating } && i != keyId)
                    return null;
            }
            key = new KeyState(this, keyId, _options, _time);
            var replaced = _keys[keyId];
            _keys[keyId] = key;
            if (replaced is not null)
                _ = replaced.DisposeAsync().AsTask();
        }
        key.Start(sendReset: weInitiate);
        return key;
    }

    /// <summary>Starts a server-initiated renegotiation with the next key-id (1..7, never 0 again).</summary>
    internal void Renegotiate()
    {
        var current = _sendKey;
        if (current is null || _closing)
            return;
        int next = current.KeyId % 7 + 1;
        BeginKey(next, weInitiate: true);
    }

    internal bool NeedsRenegotiation(long now)
    {
        var current = _sendKey;
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
            CertificateSerial = tls.PeerCertificate?.SerialNumber;
            TlsDescription = $"{tls.Protocol} {tls.CipherSuite}";
            _server.ReplaceOlderSessions(this);
            Port = _server.Switch.AddPort(CommonName ?? Name, PortKind.Session, this);
            // Every session watches its own PPPoE exchange, so an operator can see where negotiation stalls.
            Pppoe = new PppoeSessionTracker(_time);
            Port.Observer = Pppoe;
        }
        KeyState? previous;
        lock (_keysLock)
        {
            previous = _sendKey;
            _sendKey = key;
            long retireAt = _server.Now + (long)(_options.TransitionWindow.TotalSeconds * _time.TimestampFrequency);
            previous?.Retire(retireAt);
            // At most the new key and one lame duck decrypt: anything older goes now.
            for (int i = 0; i < _keys.Length; i++)
            {
                var k = _keys[i];
                if (k is not null && k != key && k != previous && k.Phase != KeyPhase.Negotiating)
                {
                    _keys[i] = null;
                    _ = k.DisposeAsync().AsTask();
                }
            }
        }
        if (first)
        {
            string cipherName = DataCiphers.Name(cipher);
            Log.SessionUp(Logger, Name, CommonName ?? "?", _link.Remote, cipherName, PeerId, TlsDescription ?? "",
                peer.Version ?? "unknown version", peer.Platform ?? "unknown platform");
        }
        else if (!first)
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
        if (!IsEstablished || key == _sendKey)
            BeginClose(reason, TimeSpan.Zero);
    }

    internal void OnRefused(KeyState key, string reason)
    {
        key.Close();
        _server.CountRefusal();
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

    /// <summary>Sends a command to the client (RESTART, HALT) and closes after the grace period.</summary>
    internal void Disconnect(string command, string reason)
    {
        var key = _sendKey;
        if (key is not null)
            _ = key.SendCommandAsync(command);
        BeginClose(reason, _options.CloseGrace);
    }

    /// <summary>Marks the session for removal at once or after <paramref name="grace"/> (to ACK and flush a last message).</summary>
    internal void BeginClose(string reason, TimeSpan grace)
    {
        lock (_keysLock)
        {
            if (_closeReason is not null)
                return;
            _closeReason = reason;
            Volatile.Write(ref _closeAt, _server.Now + (long)(grace.TotalSeconds * _time.TimestampFrequency));
        }
        if (grace <= TimeSpan.Zero)
            _server.RemoveSoon(this);
    }

    internal bool CloseDue(long now)
    {
        lock (_keysLock)
            return _closeReason is not null && now >= Volatile.Read(ref _closeAt);
    }

    internal string CloseReason => _closeReason ?? "closed";

    /// <summary>Drops retiring keys whose transition window ended.</summary>
    internal void RetireKeys(long now)
    {
        lock (_keysLock)
        {
            for (int i = 0; i < _keys.Length; i++)
            {
                if (_keys[i] is { Phase: KeyPhase.Retiring } k && now >= k.RetireAt)
                {
                    _keys[i] = null;
                    _ = k.DisposeAsync().AsTask();
                }
            }
        }
    }

    /// <summary>Takes the session off the switch and stops every key state. Called once, by the server.</summary>
    internal async Task CloseAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1)
            return;
        _closing = true;
        var port = Port;
        if (port is not null)
        {
            _server.Switch.RemovePort(port);
            var counters = port.Counters.Snapshot();
            string drops = DropSummary(counters);
            Log.SessionDown(Logger, Name, CommonName ?? "?", _link.Remote, CloseReason,
                counters.In.Frames, counters.Out.Frames, counters.In.DroppedFrames, counters.Out.DroppedFrames, drops);
        }
        KeyState?[] keys;
        lock (_keysLock)
        {
            keys = (KeyState?[])_keys.Clone();
            Array.Clear(_keys);
            _sendKey = null;
        }
        foreach (var key in keys)
        {
            if (key is not null)
                await key.DisposeAsync().ConfigureAwait(false);
        }
        _link.Close();
        lock (_controlLock)
            _sendWrap.Dispose();
        _receiveWrap.Dispose();
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
        var certificate = _sendKey?.Tls.PeerCertificate;
        return certificate is null || validator.Validate(certificate).IsAccepted;
    }

    public override string ToString() => $"session {Name} ('{CommonName}') from {_link.Remote}";
}

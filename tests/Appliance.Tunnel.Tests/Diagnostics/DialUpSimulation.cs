using System.Buffers.Binary;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;
using Appliance.Tunnel.Tests.Support;

namespace Appliance.Tunnel.Tests.Diagnostics;

/// <summary>
/// A pppd-like client and ISP dialling PPPoE through the client's switch port, on the replay's fake clock, with the faults of
/// issue 12 between the client and the port: frames of some sizes vanish from the client or towards it.
/// </summary>
/// <remarks>
/// Frame sizes are those pppd and pppoe-server send (unpadded, as a TAP carries them): PADI 32 (Service-Name + 4-byte
/// Host-Uniq), LCP Configure-Request 36 from the client (MRU, magic) and 40 from the ISP (MRU, PAP, magic), PAP request 46
/// and Ack 35, IPCP 32 (IP-Address), IPv6CP 36 (interface identifier), LCP Echo 30, Protocol-Reject of an IPCP request 38.
/// Both ends answer every request at once and repeat an unanswered Configure-Request with the same identifier every 3 s
/// (RFC 1661 §4.6, pppd's restart timer). The tracker sees a client frame only if it survived the client's side, and every
/// frame towards the client before the client's side may drop it.
/// </remarks>
internal sealed class DialUpSimulation
{
    public const ushort SessionId = 1;
    private static readonly TimeSpan RestartTimer = TimeSpan.FromSeconds(3);

    private readonly SessionReplay _replay;
    private readonly End _client;
    private readonly End _isp;
    private readonly List<(DateTimeOffset Due, long Order, Action Action)> _timers = [];
    private long _order;

    public DialUpSimulation(SessionReplay replay)
    {
        _replay = replay;
        _client = new End(this, FrameDirection.Inbound);
        _isp = new End(this, FrameDirection.Outbound);
    }

    /// <summary>PPPoE session frames from the client shorter than this never enter the tunnel (its TAP driver drops them).</summary>
    public int DropFromClientBelow { get; init; }
    /// <summary>The drop applies to discovery frames too (a filter on every frame, not a PPP-aware one).</summary>
    public bool DropDiscoveryFromClientToo { get; init; }
    /// <summary>Frames towards the client shorter than this never reach its PPP stack.</summary>
    public int DropTowardClientBelow { get; init; }
    /// <summary>The client's pppd runs without IPv4 (<c>noip</c>): it Protocol-Rejects IPCP.</summary>
    public bool ClientIPv4 { get; init; } = true;
    /// <summary>The client's PADI size: 32 bytes from pppd's rp-pppoe (empty Service-Name, 4-byte Host-Uniq).</summary>
    public int PadiSize { get; init; } = 32;
    /// <summary>The client's PADR size (Service-Name, Host-Uniq, the AC-Cookie it echoes).</summary>
    public int PadrSize { get; init; } = 44;
    public TimeSpan IspEchoInterval { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan ClientEchoInterval { get; init; } = TimeSpan.FromSeconds(30);

    private DateTimeOffset Now => _replay.Time.GetUtcNow();

    /// <summary>The client broadcasts its PADI; everything else follows from the ends' answers and timers.</summary>
    public void Dial()
    {
        Send(_client, Discovery(FrameDirection.Inbound, PppoeDiscoveryCode.Padi, 0, tagBytes: PadiSize - 20));
        void Traffic()
        {
            _client.SendData();
            After(DataInterval, Traffic);
        }
        After(DataInterval, Traffic);
    }

    /// <summary>The client pings over each network protocol that is up, this often; the ISP side answers.</summary>
    public TimeSpan DataInterval { get; init; } = TimeSpan.FromSeconds(5);

    public void RunFor(TimeSpan time)
    {
        var until = Now + time;
        while (true)
        {
            int next = -1;
            for (int i = 0; i < _timers.Count; i++)
            {
                if (_timers[i].Due <= until && (next < 0 || _timers[i].Due < _timers[next].Due ||
                    (_timers[i].Due == _timers[next].Due && _timers[i].Order < _timers[next].Order)))
                {
                    next = i;
                }
            }
            if (next < 0)
                break;
            var timer = _timers[next];
            _timers.RemoveAt(next);
            if (timer.Due > Now)
                _replay.Time.Advance(timer.Due - Now);
            timer.Action();
        }
        if (until > Now)
            _replay.Time.Advance(until - Now);
    }

    private void After(TimeSpan delay, Action action) => _timers.Add((Now + delay, _order++, action));

    private void Send(End from, byte[] frame)
    {
        var info = FrameClassifier.Classify(frame);
        if (from == _client)
        {
            bool filtered = info.Family == EtherTypeFamily.PppoeSession || DropDiscoveryFromClientToo;
            if (filtered && frame.Length < DropFromClientBelow)
                return;
            _replay.Tracker.OnFrame(frame, info, FrameDirection.Inbound, _replay.Time.GetTimestamp());
            _isp.Receive(frame, info);
        }
        else
        {
            _replay.Tracker.OnFrame(frame, info, FrameDirection.Outbound, _replay.Time.GetTimestamp());
            if (frame.Length < DropTowardClientBelow)
                return;
            _client.Receive(frame, info);
        }
    }

    private static byte[] Discovery(FrameDirection direction, PppoeDiscoveryCode code, ushort sessionId, int tagBytes)
    {
        var destination = direction == FrameDirection.Inbound
            ? (code == PppoeDiscoveryCode.Padi ? MacAddress.Broadcast : SessionReplay.Server)
            : SessionReplay.Client;
        var frame = FrameBuilder.Ethernet(destination, direction == FrameDirection.Inbound ? SessionReplay.Client : SessionReplay.Server,
            EtherTypes.PppoeDiscovery, 14 + 6 + tagBytes);
        frame[14] = 0x11;
        frame[15] = PppoeDiscoveryCodes.ToWire(code);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), sessionId);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(18), (ushort)tagBytes);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(20), 0x0103); // Host-Uniq
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(22), (ushort)(tagBytes - 4));
        return frame;
    }

    /// <summary>One end's pppd: LCP, PAP, IPCP and IPv6CP, each answered at once.</summary>
    private sealed class End(DialUpSimulation sim, FrameDirection direction)
    {
        private readonly Dictionary<ushort, Negotiation> _protocols = [];
        private byte _echoId;
        private bool _lcpUp;
        private bool _authenticated;

        private bool IsClient => direction == FrameDirection.Inbound;

        private sealed class Negotiation
        {
            public byte NextId = 1;
            public byte PendingId;
            public bool Acked;
            public bool PeerAcked;
            public bool Stopped;
        }

        private int RequestSize(ushort protocol) => protocol switch
        {
            PppProtocols.LcpValue => IsClient ? 36 : 40,
            PppProtocols.IpcpValue => 32,
            _ => 36,
        };

        private byte[] Control(ushort protocol, PppControlCode code, byte identifier, int size) =>
            SessionReplay.Control(direction, protocol, code, identifier, optionBytes: size - 26, sessionId: SessionId);

        private void Send(byte[] frame) => sim.Send(this, frame);

        public void Receive(byte[] frame, FrameClass info)
        {
            if (info.Family == EtherTypeFamily.PppoeDiscovery)
            {
                ReceiveDiscovery(info.PppoeCode);
                return;
            }
            if (info.Family == EtherTypeFamily.PppoeSession && info.PppProtocol is PppProtocol.IPv4 or PppProtocol.IPv6)
            {
                if (!IsClient)
                {
                    var reply = SyntheticSession.Data(FrameDirection.Outbound, info.PppProtocolValue);
                    WithSession(reply);
                    Send(reply);
                }
                return;
            }
            if (!info.HasPppControl)
                return;
            var code = (PppControlCode)info.PppCode;
            ushort protocol = info.PppProtocolValue;
            int contentSize = 14 + 6 + info.PppoeLength;
            if (protocol == PppProtocols.PapValue)
            {
                if (!IsClient && info.PppCode == 1)
                {
                    Send(SessionReplay.Control(direction, PppProtocols.PapValue, (PppControlCode)2, info.PppIdentifier, optionBytes: 35 - 26, sessionId: SessionId));
                    Authenticated();
                }
                else if (IsClient && info.PppCode == 2 && !_authenticated)
                {
                    Authenticated();
                }
                return;
            }
            switch (code)
            {
                case PppControlCode.ConfigureRequest:
                    if (protocol == PppProtocols.IpcpValue && IsClient && !sim.ClientIPv4)
                    {
                        // pppd with noip: RFC 1661 §5.7 Protocol-Reject carrying the rejected protocol and packet.
                        var reject = Control(PppProtocols.LcpValue, PppControlCode.ProtocolReject, _echoId++, 38);
                        BinaryPrimitives.WriteUInt16BigEndian(reject.AsSpan(26), PppProtocols.IpcpValue);
                        Send(reject);
                        return;
                    }
                    Send(Control(protocol, PppControlCode.ConfigureAck, info.PppIdentifier, contentSize));
                    Get(protocol).PeerAcked = true;
                    if (protocol != PppProtocols.LcpValue && _authenticated)
                        Start(protocol);
                    CheckLcpUp();
                    break;
                case PppControlCode.ConfigureAck:
                    var n = Get(protocol);
                    if (info.PppIdentifier == n.PendingId)
                        n.Acked = true;
                    CheckLcpUp();
                    break;
                case PppControlCode.ProtocolReject:
                    Get(BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(26))).Stopped = true;
                    break;
                case PppControlCode.EchoRequest:
                    Send(Control(PppProtocols.LcpValue, PppControlCode.EchoReply, info.PppIdentifier, contentSize));
                    break;
            }
        }

        private void ReceiveDiscovery(PppoeDiscoveryCode code)
        {
            switch (code)
            {
                case PppoeDiscoveryCode.Padi when !IsClient:
                    Send(Discovery(FrameDirection.Outbound, PppoeDiscoveryCode.Pado, 0, tagBytes: 40));
                    break;
                case PppoeDiscoveryCode.Pado when IsClient:
                    Send(Discovery(FrameDirection.Inbound, PppoeDiscoveryCode.Padr, 0, tagBytes: sim.PadrSize - 20));
                    break;
                case PppoeDiscoveryCode.Padr when !IsClient:
                    Send(Discovery(FrameDirection.Outbound, PppoeDiscoveryCode.Pads, SessionId, tagBytes: 24));
                    Start(PppProtocols.LcpValue);
                    break;
                case PppoeDiscoveryCode.Pads when IsClient:
                    Start(PppProtocols.LcpValue);
                    break;
            }
        }

        private static void WithSession(byte[] frame) => BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), SessionId);

        /// <summary>A 98-byte ping over IPv4 and IPv6, each only once its NCP is open on this end.</summary>
        public void SendData()
        {
            foreach (var (ncp, data) in new[] { (PppProtocols.IpcpValue, PppProtocols.IPv4Value), (PppProtocols.Ipv6cpValue, PppProtocols.IPv6Value) })
            {
                var n = Get(ncp);
                if (n.Acked && n.PeerAcked)
                {
                    var frame = SyntheticSession.Data(direction, data);
                    WithSession(frame);
                    Send(frame);
                }
            }
        }

        private Negotiation Get(ushort protocol)
        {
            if (!_protocols.TryGetValue(protocol, out var n))
                _protocols[protocol] = n = new Negotiation();
            return n;
        }

        /// <summary>Sends a Configure-Request and repeats it, same identifier, until acknowledged (pppd: 10 times).</summary>
        private void Start(ushort protocol)
        {
            var n = Get(protocol);
            if (n.PendingId != 0 || n.Stopped || (protocol == PppProtocols.IpcpValue && IsClient && !sim.ClientIPv4))
                return;
            n.PendingId = n.NextId++;
            byte id = n.PendingId;
            int tries = 0;
            void Transmit()
            {
                if (n.Acked || n.Stopped || tries++ == 10)
                    return;
                Send(Control(protocol, PppControlCode.ConfigureRequest, id, RequestSize(protocol)));
                sim.After(RestartTimer, Transmit);
            }
            Transmit();
        }

        private void CheckLcpUp()
        {
            var lcp = Get(PppProtocols.LcpValue);
            if (_lcpUp || !lcp.Acked || !lcp.PeerAcked)
                return;
            _lcpUp = true;
            var interval = IsClient ? sim.ClientEchoInterval : sim.IspEchoInterval;
            if (interval > TimeSpan.Zero)
            {
                void Echo()
                {
                    Send(Control(PppProtocols.LcpValue, PppControlCode.EchoRequest, ++_echoId, 30));
                    sim.After(interval, Echo);
                }
                sim.After(interval, Echo);
            }
            if (IsClient)
                Send(SessionReplay.Control(direction, PppProtocols.PapValue, (PppControlCode)1, 1, optionBytes: 46 - 26, sessionId: SessionId));
        }

        private void Authenticated()
        {
            _authenticated = true;
            Start(PppProtocols.IpcpValue);
            Start(PppProtocols.Ipv6cpValue);
        }
    }
}

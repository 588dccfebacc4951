using System.Net;
using Appliance.Tunnel.Control.Tls;
using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Sessions;
using Appliance.Tunnel.Switching;
using Appliance.Tunnel.Tests.ControlChannel;
using Appliance.Tunnel.Transport;

namespace Appliance.Tunnel.Tests.Sessions;

/// <summary>
/// The UDP opening as an attacker sees it, over the in-memory socket: a first reset is answered once and statelessly
/// (the answer's session id is an HMAC cookie), a session exists only once the client acknowledges that cookie from
/// the address it was issued to, and nothing without the key, nor anything replayed or forged, costs a live client.
/// </summary>
[Collection(PkiCollection.Name)]
public sealed class StatelessOpeningTests(TestPki pki) : IAsyncLifetime
{
    private static readonly IPEndPoint Alice = new(IPAddress.Parse("127.0.0.1"), 40001);
    private readonly StaticKey _key = StaticKey.Generate();
    private TunnelServer _server = null!;
    private InMemoryDatagramSocket _socket = null!;

    public Task InitializeAsync()
    {
        _server = NewServer(new TunnelServerOptions
        {
            Listen = [new ListenEndpoint(TunnelProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 0))],
            Tls = new TlsControlOptions { ServerCertificate = pki.ServerContext },
            ClientValidator = new ClientCertificateValidator(pki.Ca),
            ControlWrapping = new ControlWrapping(ControlWrapMode.TlsCrypt, _key),
        });
        return Task.CompletedTask;
    }

    private TunnelServer NewServer(TunnelServerOptions options)
    {
        var server = new TunnelServer(options, new EthernetSwitch(new SwitchOptions { Policy = SwitchPolicy.AllLayer2 }));
        _socket = new InMemoryDatagramSocket(server);
        return server;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _key.Dispose();
    }

    [Fact]
    public void A_first_reset_gets_one_answer_and_the_server_keeps_nothing()
    {
        using var client = new TestClient(_key, 0x1111);
        _socket.Deliver(client.Reset(), Alice);

        var answer = Assert.Single(_socket.TakeAll());
        Assert.Equal(Alice, answer.To);
        var reset = client.Read(answer.Datagram);
        Assert.Equal(Opcode.ControlHardResetServerV2, reset.Opcode);
        Assert.Equal(0u, reset.MessageId);
        Assert.Equal([0u], reset.Acks);
        Assert.Equal(0x1111ul, reset.PeerSessionId);
        Assert.NotEqual(0ul, reset.SessionId);
        Assert.Empty(_server.Sessions);
        Assert.Equal(0, _server.HandshakesInProgress);
        Assert.Equal(1, _server.ResetsAnswered);
    }

    [Fact]
    public void A_session_exists_once_the_client_acknowledges_the_cookie_from_its_address()
    {
        using var client = new TestClient(_key, 0x2222);
        _socket.Deliver(client.Reset(), Alice);
        ulong cookie = client.Read(Assert.Single(_socket.TakeAll()).Datagram).SessionId;

        _socket.Deliver(client.Ack(cookie), Alice);

        var session = Assert.Single(_server.Sessions);
        Assert.Equal(cookie, session.Id);
        Assert.Equal(0x2222ul, session.PeerSessionId);
        Assert.False(session.IsEstablished);
        Assert.Equal(1, _server.HandshakesInProgress);
    }

    [Fact]
    public void A_cookie_is_worth_nothing_from_another_address_or_for_another_client()
    {
        using var client = new TestClient(_key, 0x3333);
        _socket.Deliver(client.Reset(), Alice);
        ulong cookie = client.Read(Assert.Single(_socket.TakeAll()).Datagram).SessionId;

        _socket.Deliver(client.Ack(cookie), new IPEndPoint(Alice.Address, Alice.Port + 1));
        _socket.Deliver(client.Ack(cookie), new IPEndPoint(IPAddress.Parse("127.0.0.9"), Alice.Port));
        using var other = new TestClient(_key, 0x3334);
        _socket.Deliver(other.Ack(cookie), Alice);
        _socket.Deliver(client.Ack(cookie ^ 1), Alice);

        Assert.Empty(_server.Sessions);
        Assert.Equal(4, _server.Unattributed.Snapshot().Drops(DropReason.NoSession));
        Assert.Empty(_socket.TakeAll());
    }

    [Fact]
    public void A_reset_replayed_from_a_thousand_sources_creates_nothing_and_each_gets_at_most_one_answer()
    {
        using var client = new TestClient(_key, 0x4444);
        byte[] captured = client.Reset();
        var sources = new List<IPEndPoint>();
        for (int address = 2; address < 12; address++)
        {
            for (int port = 0; port < 100; port++)
                sources.Add(new IPEndPoint(IPAddress.Parse($"127.0.0.{address}"), 20000 + port));
        }

        foreach (var source in sources)
            _socket.Deliver(captured, source);

        var answers = _socket.TakeAll();
        Assert.Empty(_server.Sessions);
        Assert.Equal(0, _server.HandshakesInProgress);
        Assert.All(answers.GroupBy(a => a.To), group => Assert.Single(group));
        // Each source address has a burst of its own; what it did not get was counted, not silently lost.
        long limited = _server.Unattributed.Snapshot().Drops(DropReason.RateLimited);
        Assert.Equal(sources.Count, answers.Count + limited);
        Assert.True(answers.Count >= 10 * 40, $"only {answers.Count} answers: every source address has a burst of 40");
    }

    [Fact]
    public void Keyless_garbage_shaped_like_resets_is_counted_and_never_answered()
    {
        var random = new Random(11);
        for (int i = 0; i < 5000; i++)
        {
            var garbage = new byte[random.Next(61, 122)];
            random.NextBytes(garbage);
            garbage[0] = 0x38;
            _socket.Deliver(garbage, new IPEndPoint(IPAddress.Parse("127.0.0.3"), 1024 + i));
        }

        Assert.Equal(0, _socket.SentCount);
        Assert.Empty(_server.Sessions);
        var drops = _server.Unattributed.Snapshot();
        Assert.Equal(5000, drops.DroppedFrames);
        Assert.Equal(5000, drops.Drops(DropReason.BadControlAuthentication));
    }

    [Fact]
    public void A_valid_reset_or_a_forged_control_packet_never_touches_a_session_in_progress()
    {
        using var client = new TestClient(_key, 0x5555);
        _socket.Deliver(client.Reset(), Alice);
        ulong cookie = client.Read(Assert.Single(_socket.TakeAll()).Datagram).SessionId;
        _socket.Deliver(client.Ack(cookie), Alice);
        var session = Assert.Single(_server.Sessions);

        // A key holder's fresh reset from the victim's exact address: answered statelessly, nothing closed.
        using var attacker = new TestClient(_key, 0x6666);
        _socket.Deliver(attacker.Reset(), Alice);
        // The victim's own session id, freshly wrapped, from another address: refused before the session sees it.
        _socket.Deliver(client.Ack(cookie), new IPEndPoint(IPAddress.Parse("127.0.0.66"), 5000));

        Assert.Same(session, Assert.Single(_server.Sessions));
        Assert.False(session.IsClosing);
        Assert.Equal(1, _server.Unattributed.Snapshot().Drops(DropReason.AddressMismatch));
        Assert.Equal(0x6666ul, client.Read(Assert.Single(_socket.TakeAll(), d => d.Datagram[0] >> 3 == (int)Opcode.ControlHardResetServerV2).Datagram).PeerSessionId);
    }

    [Fact]
    public async Task Handshakes_in_progress_are_bounded_per_source_and_in_all_apart_from_live_sessions()
    {
        await _server.DisposeAsync();
        _server = NewServer(new TunnelServerOptions
        {
            Listen = [new ListenEndpoint(TunnelProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 0))],
            Tls = new TlsControlOptions { ServerCertificate = pki.ServerContext },
            ClientValidator = new ClientCertificateValidator(pki.Ca),
            ControlWrapping = new ControlWrapping(ControlWrapMode.TlsCrypt, _key),
            MaxHandshakes = 3,
            MaxHandshakesPerSource = 2,
        });

        Assert.True(Open(0x7001, new IPEndPoint(IPAddress.Parse("127.0.0.7"), 1)));
        Assert.True(Open(0x7002, new IPEndPoint(IPAddress.Parse("127.0.0.7"), 2)));
        Assert.False(Open(0x7003, new IPEndPoint(IPAddress.Parse("127.0.0.7"), 3)));
        Assert.True(Open(0x8001, new IPEndPoint(IPAddress.Parse("127.0.0.8"), 1)));
        Assert.False(Open(0x9001, new IPEndPoint(IPAddress.Parse("127.0.0.9"), 1)));

        Assert.Equal(3, _server.Sessions.Count);
        Assert.Equal(3, _server.HandshakesInProgress);
        Assert.Equal(2, _server.Unattributed.Snapshot().Drops(DropReason.HandshakeLimit));
    }

    [Fact]
    public void A_handler_that_throws_is_counted_and_the_next_datagram_is_handled()
    {
        var receiver = new ThrowingOnce();
        var socket = new InMemoryDatagramSocket(receiver);

        socket.Deliver([1, 2, 3], Alice);
        socket.Deliver([4, 5], Alice);

        Assert.Equal(1, receiver.Faults);
        Assert.Equal([4, 5], receiver.Received);
    }

    [Fact]
    public void The_server_counts_a_fault_under_its_own_drop_reason()
    {
        _server.OnReceiveFault(new InvalidOperationException("a bug"), 77);

        Assert.Equal(1, _server.ReceiveFaults);
        Assert.Equal(1, _server.Unattributed.Snapshot().Drops(DropReason.HandlerFault));
    }

    private bool Open(ulong clientId, IPEndPoint from)
    {
        using var client = new TestClient(_key, clientId);
        int before = _server.Sessions.Count;
        _socket.Deliver(client.Reset(), from);
        // Only the answer to this reset: an earlier session's retransmission may be sent meanwhile (its timer runs on its own).
        ulong cookie = client.Read(Assert.Single(_socket.TakeAll(), d => d.To.Equals(from)).Datagram).SessionId;
        _socket.Deliver(client.Ack(cookie), from);
        _socket.TakeAll();
        return _server.Sessions.Count == before + 1;
    }

    private sealed class ThrowingOnce : IPacketReceiver
    {
        public int Faults;
        public byte[] Received = [];
        private bool _thrown;

        public void OnDatagram(Span<byte> packet, SocketAddress from, IDatagramSocket socket)
        {
            if (!_thrown)
            {
                _thrown = true;
                throw new InvalidOperationException("a bug in the handler");
            }
            Received = packet.ToArray();
        }

        public void OnStreamPacket(Span<byte> packet, IStreamLink link) => throw new NotSupportedException();

        public void OnStreamClosed(IStreamLink link)
        {
        }

        public void OnReceiveFault(Exception fault, int length) => Faults++;
    }

    /// <summary>The client side of the control wrap: builds wrapped resets and ACKs, reads the server's answers.</summary>
    private sealed class TestClient(StaticKey key, ulong sessionId) : IDisposable
    {
        private readonly TlsCryptWrapper _wrap = new(key, KeyDirection.Inverse);
        private uint _counter;

        public byte[] Reset() => Wrap(Opcode.ControlHardResetClientV2, [], 0, 0);

        public byte[] Ack(ulong serverSessionId) => Wrap(Opcode.AckV1, [0u], serverSessionId, 0);

        private byte[] Wrap(Opcode opcode, uint[] acks, ulong peer, uint messageId)
        {
            var plain = new byte[256];
            Assert.True(ControlPacket.TryWrite(plain, opcode, 0, sessionId, acks, peer, messageId, [], out int length));
            var wire = new byte[512];
            Assert.True(_wrap.TryWrap(plain.AsSpan(0, length), new WrapReplayId(++_counter, 1_700_000_000), wire, out int written));
            return wire[..written];
        }

        public Answer Read(byte[] wire)
        {
            var plain = new byte[wire.Length];
            Assert.Equal(UnwrapResult.Ok, _wrap.Unwrap(wire, plain, out int length, out _));
            Assert.Equal(ControlParseResult.Ok, ControlPacket.TryParse(plain.AsSpan(0, length), out var packet));
            var acks = new uint[packet.AckCount];
            for (int i = 0; i < acks.Length; i++)
                acks[i] = packet.AckId(i);
            return new Answer(packet.Opcode, packet.SessionId, packet.PeerSessionId, packet.MessageId, acks);
        }

        public void Dispose() => _wrap.Dispose();
    }

    private sealed record Answer(Opcode Opcode, ulong SessionId, ulong PeerSessionId, uint MessageId, uint[] Acks);
}

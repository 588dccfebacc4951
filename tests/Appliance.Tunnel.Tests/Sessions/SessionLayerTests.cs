using System.Net;
using Appliance.Tunnel.Control.Tls;
using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Sessions;
using Appliance.Tunnel.Switching;
using Appliance.Tunnel.Tests.ControlChannel;
using Appliance.Tunnel.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tunnel.Tests.Sessions;

/// <summary>
/// The session layer in one process: the server over the in-memory socket, C# test peers for clients, a fake clock.
/// What a live session must survive from other clients and from time: a second machine on the same profile, a
/// genuine packet from another client's address, its own certificate expiring.
/// </summary>
[Collection(PkiCollection.Name)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes the class through IAsyncLifetime.DisposeAsync")]
public sealed class SessionLayerTests(TestPki pki) : IAsyncLifetime
{
    private static readonly IPEndPoint AliceHome = new(IPAddress.Parse("127.0.0.1"), 41001);
    private static readonly IPEndPoint Office = new(IPAddress.Parse("127.0.0.2"), 41002);
    private readonly StaticKey _key = StaticKey.Generate();
    private readonly FakeTimeProvider _time = new(pki.Now);
    private readonly EthernetSwitch _switch = new(new SwitchOptions { Policy = SwitchPolicy.AllLayer2 });
    private readonly RecordingSink _lan = new();
    private readonly List<TestPeer> _peers = [];
    private TunnelServer _server = null!;
    private PeerNetwork _network = null!;
    private SwitchPort _lanPort = null!;

    public Task InitializeAsync()
    {
        _lanPort = _switch.AddPort("lan", PortKind.Uplink, _lan);
        Start();
        return Task.CompletedTask;
    }

    private void Start(Func<string, bool>? allowsConcurrent = null)
    {
        var options = new TunnelServerOptions
        {
            Listen = [new ListenEndpoint(TunnelProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 0))],
            Tls = new TlsControlOptions { ServerCertificate = pki.ServerContext },
            ClientValidator = new ClientCertificateValidator(pki.Ca, time: _time),
            ControlWrapping = new ControlWrapping(ControlWrapMode.TlsCrypt, _key),
            // The peers send no pings: only the clock this test moves decides what happens.
            Ping = TimeSpan.FromHours(1),
            PingRestart = TimeSpan.FromHours(2),
            AllowsConcurrentSessions = allowsConcurrent,
        };
        _server = new TunnelServer(options, _switch, _time);
        _network = new PeerNetwork(_server);
    }

    public async Task DisposeAsync()
    {
        foreach (var peer in _peers)
            await peer.DisposeAsync();
        await _network.DisposeAsync();
        await _server.DisposeAsync();
        _switch.Dispose();
        _key.Dispose();
    }

    private async Task<TestPeer> ConnectAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, IPEndPoint from)
    {
        var peer = new TestPeer(_network, pki, _key, certificate, from, _time);
        _peers.Add(peer);
        await peer.ConnectAsync();
        await WaitUntilAsync(() => SessionOf(peer)?.IsEstablished == true, "the server never established the peer's session");
        return peer;
    }

    private TunnelSession? SessionOf(TestPeer peer) => _server.Sessions.FirstOrDefault(s => s.PeerSessionId == peer.SessionId);

    [Fact]
    public async Task A_client_connects_through_the_cookie_and_frames_of_every_size_cross_both_ways()
    {
        var alice = await ConnectAsync(pki.Alice, AliceHome);

        foreach (int size in new[] { 14, 32, 33, 34, 60, 1514 })
            alice.SendFrame(Frame(size, source: 0x0A, destination: 0x0B));
        await WaitUntilAsync(() => _lan.Frames.Count == 6, "not every frame reached the LAN");
        Assert.Equal([14, 32, 33, 34, 60, 1514], _lan.Frames.Select(f => f.Length));
        _switch.Forward(_lanPort, Frame(32, source: 0x0B, destination: 0x0A));
        await WaitUntilAsync(() => alice.Frames.Count == 1, "the LAN's 32-byte frame never reached the client");
        Assert.Equal(1, _server.ResetsAnswered);
        Assert.Equal(0, _server.HandshakesInProgress);
    }

    [Fact]
    public async Task A_second_machine_on_the_same_profile_replaces_the_first_which_is_told_why_and_not_the_reverse()
    {
        var first = await ConnectAsync(pki.Alice, AliceHome);
        var firstSession = SessionOf(first)!;

        var second = await ConnectAsync(pki.Alice, Office);

        await WaitUntilAsync(() => first.Commands.Any(c => c.StartsWith("HALT,replaced", StringComparison.Ordinal)), "the replaced client was not told why");
        Assert.Contains("udp 127.0.0.2:41002", first.Commands.First(c => c.StartsWith("HALT", StringComparison.Ordinal)), StringComparison.Ordinal);
        _time.Advance(TimeSpan.FromSeconds(3));
        await WaitUntilAsync(() => _server.Sessions.Count == 1, "the replaced session was not removed");
        Assert.Same(SessionOf(second), Assert.Single(_server.Sessions));
        Assert.StartsWith("replaced by session", firstSession.CloseReason, StringComparison.Ordinal);
        Assert.Empty(second.Commands);
        Assert.Equal(1, _server.SessionsReplaced);
    }

    [Fact]
    public async Task A_client_allowed_several_machines_keeps_both_sessions()
    {
        await _server.DisposeAsync();
        await _network.DisposeAsync();
        Start(allowsConcurrent: name => name == "alice");

        var first = await ConnectAsync(pki.Alice, AliceHome);
        var second = await ConnectAsync(pki.Alice, Office);
        _time.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(2, _server.Sessions.Count(s => s.IsEstablished && !s.IsClosing));
        Assert.Empty(first.Commands);
        Assert.Empty(second.Commands);
    }

    [Fact]
    public async Task A_genuine_packet_of_one_client_from_anothers_address_moves_neither_and_is_counted()
    {
        var alice = await ConnectAsync(pki.Alice, AliceHome);
        var carol = await ConnectAsync(pki.Carol, Office);
        var carolSession = SessionOf(carol)!;

        // Carol's own packet, delivered from Alice's address (a spoofer racing Carol's copy, or a NAT gone wrong).
        _network.Socket.Deliver(carol.Seal(Frame(60, source: 0x0C, destination: 0x0B)), AliceHome);

        Assert.Equal("udp 127.0.0.1:41001", SessionOf(alice)!.Link.Remote);
        Assert.Equal("udp 127.0.0.2:41002", carolSession.Link.Remote);
        Assert.Equal(1, carolSession.Port!.Counters.In.Snapshot().Drops(DropReason.AddressMismatch));
        Assert.Empty(_lan.Frames);
        alice.SendFrame(Frame(60, source: 0x0A, destination: 0x0B));
        await WaitUntilAsync(() => _lan.Frames.Count == 1, "Alice's traffic stopped");

        // A real move to a free address still follows the client.
        carol.MoveTo(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 41003));
        carol.SendFrame(Frame(60, source: 0x0C, destination: 0x0B));
        await WaitUntilAsync(() => _lan.Frames.Count == 2, "Carol's frame from her new address did not arrive");
        Assert.Equal("udp 127.0.0.3:41003", carolSession.Link.Remote);
    }

    [Fact]
    public async Task A_session_ends_with_a_reason_when_its_client_certificate_expires()
    {
        var shortLived = pki.IssueClient("dora", pki.Now.AddMinutes(30));
        var dora = await ConnectAsync(shortLived, AliceHome);
        var session = SessionOf(dora)!;

        _time.Advance(TimeSpan.FromMinutes(29));
        Assert.False(session.IsClosing);
        _time.Advance(TimeSpan.FromMinutes(2));

        await WaitUntilAsync(() => dora.Commands.Contains("HALT,certificate expired"), "the client was not told its certificate expired");
        Assert.Equal("the client certificate expired", session.CloseReason);
    }

    private static byte[] Frame(int size, byte source, byte destination) => FrameBuilder.Numbered(size, source, destination, 0x8864);

    private static Task WaitUntilAsync(Func<bool> condition, string failure) =>
        Eventually.TrueAsync(condition, TimeSpan.FromSeconds(20), failure);
}

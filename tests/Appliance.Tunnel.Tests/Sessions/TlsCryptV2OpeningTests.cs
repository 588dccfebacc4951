using System.Net;
using Appliance.Tunnel.Control.Tls;
using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Sessions;
using Appliance.Tunnel.Switching;
using Appliance.Tunnel.Tests.ControlChannel;
using Appliance.Tunnel.Tests.Protocol;
using Appliance.Tunnel.Transport;

namespace Appliance.Tunnel.Tests.Sessions;

/// <summary>
/// tls-crypt-v2 at the server's door, over the in-memory socket: every profile has its own key, the server reads the
/// key's metadata before anything else, and a revoked, disabled or expired profile costs it one check per packet —
/// no answer, no state, no TLS. An admitted 2.6 client gets the stateless answer asking it to resend its WKc.
/// </summary>
[Collection(PkiCollection.Name)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes the class through IAsyncLifetime.DisposeAsync")]
public sealed class TlsCryptV2OpeningTests(TestPki pki) : IAsyncLifetime
{
    private static readonly IPEndPoint Client = new(IPAddress.Parse("127.0.0.1"), 42001);
    private readonly StaticKey _shared = StaticKey.Generate();
    private readonly TlsCryptV2ServerKey _serverKey = TlsCryptV2ServerKey.Generate();
    private readonly Dictionary<string, TlsCryptV2Verdict> _verdicts = [];
    private TunnelServer _server = null!;
    private InMemoryDatagramSocket _socket = null!;

    public Task InitializeAsync()
    {
        _server = new TunnelServer(new TunnelServerOptions
        {
            Listen = [new ListenEndpoint(TunnelProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 0))],
            Tls = new TlsControlOptions { ServerCertificate = pki.ServerContext },
            ClientValidator = new ClientCertificateValidator(pki.Ca),
            ControlWrapping = new ControlWrapping(ControlWrapMode.TlsCrypt, _shared)
            {
                TlsCryptV2 = new TlsCryptV2Settings(_serverKey, (in TlsCryptV2Metadata m) =>
                    _verdicts.TryGetValue(m.CommonName, out var verdict) ? verdict : TlsCryptV2Verdict.UnknownClient),
            },
        }, new EthernetSwitch(new SwitchOptions { Policy = SwitchPolicy.AllLayer2 }));
        _socket = new InMemoryDatagramSocket(_server);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _serverKey.Dispose();
        _shared.Dispose();
    }

    private TlsCryptV2TestClient ClientFor(string name, TlsCryptV2ServerKey? serverKey = null)
    {
        _verdicts.TryAdd(name, TlsCryptV2Verdict.Accepted);
        var metadata = TlsCryptV2Metadata.Encode([0x10, 0x01], name, DateTimeOffset.UtcNow.AddYears(1));
        return new TlsCryptV2TestClient(TlsCryptV2ClientKey.Create(serverKey ?? _serverKey, metadata));
    }

    [Fact]
    public void An_admitted_client_gets_one_stateless_answer_asking_for_its_wkc_and_its_next_packet_opens_the_session()
    {
        using var client = ClientFor("alice");
        _socket.Deliver(client.Opening(), Client);

        var answer = Assert.Single(_socket.TakeAll());
        var plain = new byte[answer.Datagram.Length];
        Assert.Equal(UnwrapResult.Ok, client.Unwrap(answer.Datagram, plain, out int length));
        Assert.Equal(ControlParseResult.Ok, ControlPacket.TryParse(plain.AsSpan(0, length), out var reset));
        Assert.Equal(Opcode.ControlHardResetServerV2, reset.Opcode);
        Assert.Equal(new byte[] { 0, 1, 0, 2, 0, 1 }, reset.Payload.ToArray());
        Assert.Empty(_server.Sessions);
        ulong cookie = reset.SessionId;

        _socket.Deliver(client.Packet(Opcode.ControlWkcV1, [0u], cookie, 1, [0x16, 0x03, 0x01], TlsCryptV2EarlyNegotiation.ReplayCounterStart + 2, appendWrappedKey: true), Client);

        var session = Assert.Single(_server.Sessions);
        Assert.Equal(cookie, session.Id);
        Assert.Equal(TlsCryptV2TestClient.SessionId, session.PeerSessionId);
    }

    [Theory]
    [InlineData(TlsCryptV2Verdict.Revoked)]
    [InlineData(TlsCryptV2Verdict.Disabled)]
    [InlineData(TlsCryptV2Verdict.Expired)]
    [InlineData(TlsCryptV2Verdict.UnknownClient)]
    public void A_refused_profile_gets_no_answer_no_state_and_is_counted(TlsCryptV2Verdict verdict)
    {
        using var client = ClientFor("mallory");
        _verdicts["mallory"] = verdict;

        for (int i = 0; i < 50; i++)
            _socket.Deliver(client.Opening(TlsCryptV2EarlyNegotiation.ReplayCounterStart + 1 + (uint)i), new IPEndPoint(Client.Address, 43000 + i));
        _socket.Deliver(client.Packet(Opcode.ControlWkcV1, [0u], 0x99, 1, [1], TlsCryptV2EarlyNegotiation.ReplayCounterStart + 99, appendWrappedKey: true), Client);

        Assert.Equal(0, _socket.SentCount);
        Assert.Empty(_server.Sessions);
        Assert.Equal(51, _server.Unattributed.Snapshot().Drops(DropReason.ClientRefused));
    }

    [Fact]
    public void A_key_wrapped_for_another_server_is_refused_before_the_policy_sees_it()
    {
        using var otherServer = TlsCryptV2ServerKey.Generate();
        using var client = ClientFor("alice", otherServer);

        _socket.Deliver(client.Opening(), Client);

        Assert.Equal(0, _socket.SentCount);
        Assert.Equal(1, _server.Unattributed.Snapshot().Drops(DropReason.BadControlAuthentication));
    }

    [Fact]
    public void A_v2_client_without_early_negotiation_is_kept_from_its_reset_and_answered_by_its_session()
    {
        using var client = ClientFor("alice");

        _socket.Deliver(client.Opening(counter: 1), Client);

        var session = Assert.Single(_server.Sessions);
        Assert.Equal(TlsCryptV2TestClient.SessionId, session.PeerSessionId);
        Assert.Equal(1, _server.HandshakesInProgress);
        // The session's key-id 0 answers with a server reset under the client's own key.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        SentDatagram? answer = null;
        while (answer is null && DateTime.UtcNow < deadline)
        {
            if (!_socket.TryTake(out answer))
                Thread.Sleep(10);
        }
        Assert.NotNull(answer);
        var plain = new byte[answer.Datagram.Length];
        Assert.Equal(UnwrapResult.Ok, client.Unwrap(answer.Datagram, plain, out int length));
        Assert.Equal(ControlParseResult.Ok, ControlPacket.TryParse(plain.AsSpan(0, length), out var reset));
        Assert.Equal(Opcode.ControlHardResetServerV2, reset.Opcode);
        Assert.Equal(session.Id, reset.SessionId);
    }

    [Fact]
    public void The_shared_key_still_opens_old_profiles_beside_v2()
    {
        var wrap = new TlsCryptWrapper(_shared, KeyDirection.Inverse);
        var plain = new byte[64];
        Assert.True(ControlPacket.TryWrite(plain, Opcode.ControlHardResetClientV2, 0, 0x77, [], 0, 0, [], out int length));
        var wire = new byte[256];
        Assert.True(wrap.TryWrap(plain.AsSpan(0, length), new WrapReplayId(1, 1_700_000_000), wire, out int written));

        _socket.Deliver(wire.AsSpan(0, written), Client);

        Assert.Single(_socket.TakeAll());
        wrap.Dispose();
    }
}

using System.Net;
using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.Sessions;
using Appliance.Tunnel.Tests.ControlChannel;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;
using static Appliance.Tunnel.Tests.Sessions.RealClientHarness;

namespace Appliance.Tunnel.Tests.Sessions;

/// <summary>The real OpenVPN 2.6 client (<c>dev null</c>, loopback UDP and TCP) against our whole server: tls-crypt, TLS, key method 2, push, data.</summary>
[Collection(PkiCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class TunnelServerRealClientTests(TestPki pki, ITestOutputHelper output)
{
    [OpenVpnFact]
    public async Task Real_client_completes_initialization_over_udp_and_exchanges_pings()
    {
        await using var lab = RealClientHarness.Start(pki, output, TunnelProtocol.Udp);
        var client = lab.StartClient(pki.Alice);
        await client.WaitForAsync("Initialization Sequence Completed", TimeSpan.FromSeconds(30));
        Assert.Contains("peer-id", client.Text);
        var session = Assert.Single(lab.Server.Sessions);
        Assert.Equal("alice", session.CommonName);
        Assert.True(session.IsEstablished);
    }

    [OpenVpnFact]
    public async Task Real_client_completes_initialization_over_tcp()
    {
        await using var lab = RealClientHarness.Start(pki, output, TunnelProtocol.Tcp);
        var client = lab.StartClient(pki.Alice, "tcp-client");
        await client.WaitForAsync("Initialization Sequence Completed", TimeSpan.FromSeconds(30));
        Assert.Equal("alice", Assert.Single(lab.Server.Sessions).CommonName);
        Assert.StartsWith("tcp ", Assert.Single(lab.Server.Sessions).Link.Remote, StringComparison.Ordinal);
    }

    [OpenVpnFact]
    public async Task Client_listing_only_chacha20_gets_chacha20()
    {
        await using var lab = RealClientHarness.Start(pki, output);
        var client = lab.StartClient(pki.Alice, extra: "data-ciphers CHACHA20-POLY1305");
        await client.WaitForAsync("Initialization Sequence Completed", TimeSpan.FromSeconds(30));
        Assert.Contains("Data Channel: cipher 'CHACHA20-POLY1305'", client.Text, StringComparison.Ordinal);
        Assert.Equal(Appliance.Tunnel.DataChannel.DataCipher.ChaCha20Poly1305, Assert.Single(lab.Server.Sessions).Cipher);
    }

    [OpenVpnTheory]
    [InlineData("revoked", "certificate revoked")]
    [InlineData("expired", "certificate expired")]
    [InlineData("foreign", "certificate not issued by this appliance")]
    public async Task Refused_certificate_gets_auth_failed_while_other_sessions_keep_working(string who, string reason)
    {
        await using var lab = RealClientHarness.Start(pki, output);
        var server = lab.Server;
        var alice = lab.StartClient(pki.Alice);
        var certificate = who switch { "revoked" => pki.Revoked, "expired" => pki.Expired, _ => pki.Foreign };
        var refused = lab.StartClient(certificate);
        await alice.WaitForAsync("Initialization Sequence Completed", TimeSpan.FromSeconds(30));
        await refused.WaitForAsync("AUTH_FAILED," + reason, TimeSpan.FromSeconds(30));
        Assert.True(refused.WaitForExit(TimeSpan.FromSeconds(15)), "the refused client did not stop after AUTH_FAILED");
        Assert.Equal(1, server.Refusals);
        await WaitUntilAsync(() => server.Sessions.Count == 1, TimeSpan.FromSeconds(10));
        Assert.Equal("alice", Assert.Single(server.Sessions).CommonName);
        Assert.True(Assert.Single(server.Sessions).IsEstablished);
    }

    [OpenVpnFact]
    public async Task Wrong_tls_crypt_key_is_dropped_before_any_tls_and_counted()
    {
        await using var lab = RealClientHarness.Start(pki, output);
        var server = lab.Server;
        using var wrong = StaticKey.Generate();
        var client = lab.StartClient(pki.Alice, tlsCrypt: wrong);
        await WaitUntilAsync(() => server.Unattributed.Snapshot().Drops(Appliance.Tunnel.Counters.DropReason.BadControlAuthentication) >= 2, TimeSpan.FromSeconds(20));
        Assert.Empty(server.Sessions);
        Assert.DoesNotContain("Initialization Sequence Completed", client.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("VERIFY OK", client.Text, StringComparison.Ordinal);
    }

    [OpenVpnFact]
    public async Task Established_idle_session_sleeps_in_its_control_loop()
    {
        await using var lab = RealClientHarness.Start(pki, output);
        var client = lab.StartClient(pki.Alice);
        await client.WaitForAsync("Initialization Sequence Completed", TimeSpan.FromSeconds(30));
        var session = Assert.Single(lab.Server.Sessions);
        await Task.Delay(TimeSpan.FromSeconds(1)); // the last ACKs of the push settle
        long before = session.ControlLoopTurnsForTests;
        await Task.Delay(TimeSpan.FromSeconds(2));
        long turns = session.ControlLoopTurnsForTests - before;
        // One turn a second (the loop's longest sleep) plus a few for stray control packets; a spinning loop makes millions.
        Assert.True(turns < 20, $"the control loop turned {turns} times in 2 s of silence");
    }

    [OpenVpnFact]
    public async Task Garbage_and_replayed_packets_are_counted_and_the_session_keeps_serving()
    {
        // The pushed ping of 1 s makes the client speak every second, so liveness after the attack is visible quickly.
        await using var lab = RealClientHarness.Start(pki, output, ping: TimeSpan.FromSeconds(1));
        var server = lab.Server;
        var endpoint = lab.Endpoint;
        var client = lab.StartClient(pki.Alice, extra: "ping 1");
        await client.WaitForAsync("Initialization Sequence Completed", TimeSpan.FromSeconds(30));
        var session = Assert.Single(server.Sessions);
        using var attacker = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        attacker.Connect(endpoint);
        var random = new Random(7);
        // In paced batches: the kernel's socket buffer, not our server, would drop a burst on a busy machine.
        for (int batch = 1; batch <= 20; batch++)
        {
            for (int i = 0; i < 25; i++)
            {
                var garbage = new byte[random.Next(1, 1600)];
                random.NextBytes(garbage);
                attacker.Send(garbage);
            }
            int expected = 25 * batch;
            await WaitUntilAsync(() => server.Unattributed.Snapshot().DroppedFrames >= expected, TimeSpan.FromSeconds(10));
        }
        // A data packet that claims the session's peer-id with a forged tag, and a replay of it.
        var forged = new byte[100];
        random.NextBytes(forged);
        forged[0] = 0x48;
        forged[1] = (byte)(session.PeerId >> 16);
        forged[2] = (byte)(session.PeerId >> 8);
        forged[3] = (byte)session.PeerId;
        attacker.Send(forged);
        attacker.Send(forged);

        Assert.Equal(500, server.Unattributed.Snapshot().DroppedFrames);
        await WaitUntilAsync(() => session.Port!.Counters.In.Snapshot().Drops(Appliance.Tunnel.Counters.DropReason.BadAuthenticationTag) >= 2, TimeSpan.FromSeconds(10));
        long before = session.LastReceived;
        await WaitUntilAsync(() => session.LastReceived != before, TimeSpan.FromSeconds(10));
        Assert.True(session.IsEstablished);
        Assert.False(session.IsClosing);
    }

    [OpenVpnFact]
    public async Task Renegotiation_every_few_seconds_keeps_the_session()
    {
        await using var lab = RealClientHarness.Start(pki, output);
        var client = lab.StartClient(pki.Alice, extra: ["reneg-sec 3", "ping 1"]);
        await client.WaitForAsync("Initialization Sequence Completed", TimeSpan.FromSeconds(30));
        var session = Assert.Single(lab.Server.Sessions);
        await WaitUntilAsync(() => session.Renegotiations >= 2, TimeSpan.FromSeconds(30));
        Assert.Same(session, Assert.Single(lab.Server.Sessions));
        Assert.True(session.CurrentKeyId is >= 1 and <= 7);
        Assert.Equal(0, session.Port!.Counters.In.Snapshot().Drops(Appliance.Tunnel.Counters.DropReason.UnknownKey));
    }

    [OpenVpnFact]
    public async Task Server_initiated_renegotiation_keeps_the_session()
    {
        await using var lab = RealClientHarness.Start(pki, output, renegotiateAfter: TimeSpan.FromSeconds(5));
        var client = lab.StartClient(pki.Alice, extra: "ping 1");
        await client.WaitForAsync("Initialization Sequence Completed", TimeSpan.FromSeconds(30));
        var session = Assert.Single(lab.Server.Sessions);
        await WaitUntilAsync(() => session.Renegotiations >= 1, TimeSpan.FromSeconds(30));
        Assert.Same(session, Assert.Single(lab.Server.Sessions));
    }

    [OpenVpnFact]
    public async Task Revoking_a_live_client_stops_it_and_it_is_refused_when_it_returns()
    {
        await using var lab = RealClientHarness.Start(pki, output);
        var server = lab.Server;
        var carol = lab.StartClient(pki.Carol);
        await carol.WaitForAsync("Initialization Sequence Completed", TimeSpan.FromSeconds(30));
        Assert.Equal(1, server.ApplyRevocationList(pki.LoadCrl(pki.CrlRevokingMalloryAndCarol)));
        await carol.WaitForAsync("Halt command was pushed by server", TimeSpan.FromSeconds(10));
        await WaitUntilAsync(() => server.Sessions.Count == 0, TimeSpan.FromSeconds(10));
        await carol.StopAsync();

        var again = lab.StartClient(pki.Carol);
        await again.WaitForAsync("AUTH_FAILED,certificate revoked", TimeSpan.FromSeconds(30));
    }

    [OpenVpnFact]
    public async Task Client_killed_and_started_again_replaces_its_old_session_and_switch_port()
    {
        await using var lab = RealClientHarness.Start(pki, output);
        var server = lab.Server;
        var first = lab.StartClient(pki.Alice);
        await first.WaitForAsync("Initialization Sequence Completed", TimeSpan.FromSeconds(30));
        var old = Assert.Single(server.Sessions);
        // SIGKILL: no EXIT, and the next run (nobind) comes from another source port.
        await first.StopAsync();

        var oldPort = old.Port!;
        var second = lab.StartClient(pki.Alice);
        await second.WaitForAsync("Initialization Sequence Completed", TimeSpan.FromSeconds(30));
        await WaitUntilAsync(() => server.Sessions.Count == 1 && server.Sessions.Single() != old, TimeSpan.FromSeconds(5));
        var current = Assert.Single(server.Sessions);
        Assert.Equal("alice", current.CommonName);
        Assert.NotEqual(old.Link.Remote, current.Link.Remote);
        Assert.False(oldPort.IsLive);
        Assert.Same(current.Port, Assert.Single(lab.Switch.Ports));
    }

    [OpenVpnFact]
    public async Task Tls_auth_is_accepted_as_the_server_option()
    {
        await using var lab = RealClientHarness.Start(pki, output, wrap: ControlWrapMode.TlsAuth);
        var client = lab.StartClient(pki.Alice, wrapLine: "tls-auth tc.key 1");
        await client.WaitForAsync("Initialization Sequence Completed", TimeSpan.FromSeconds(30));
        Assert.Equal("alice", Assert.Single(lab.Server.Sessions).CommonName);
    }

    [OpenVpnFact]
    public async Task Session_follows_its_client_to_a_new_address_and_a_replayed_data_packet_is_dropped()
    {
        await using var lab = RealClientHarness.Start(pki, output, ping: TimeSpan.FromSeconds(1));
        using var relay = new Support.UdpRelay(lab.Endpoint);
        var client = lab.StartClient(pki.Alice, port: relay.Port);
        await client.WaitForAsync("Initialization Sequence Completed", TimeSpan.FromSeconds(30));
        var session = Assert.Single(lab.Server.Sessions);
        string before = session.Link.Remote;

        relay.Rebind();
        await WaitUntilAsync(() => session.Link.Remote != before, TimeSpan.FromSeconds(15));
        Assert.EndsWith(":" + relay.OutsidePort, session.Link.Remote, StringComparison.Ordinal);
        Assert.Same(session, Assert.Single(lab.Server.Sessions));

        Assert.True(relay.ReplayLastClientData());
        await WaitUntilAsync(() => session.Port!.Counters.In.Snapshot().Drops(Appliance.Tunnel.Counters.DropReason.Replay) >= 1, TimeSpan.FromSeconds(10));
        Assert.False(session.IsClosing);
        Assert.DoesNotContain("Restart pause", client.Text, StringComparison.Ordinal);
    }

    [OpenVpnTheory]
    [InlineData("udp6")]
    [InlineData("tcp6-client")]
    public async Task Real_client_connects_over_ipv6(string proto)
    {
        var transport = proto.StartsWith("udp", StringComparison.Ordinal) ? TunnelProtocol.Udp : TunnelProtocol.Tcp;
        await using var lab = RealClientHarness.Start(pki, output, transport, address: IPAddress.IPv6Loopback);
        var client = lab.StartClient(pki.Alice, proto, host: "::1");
        await client.WaitForAsync("Initialization Sequence Completed", TimeSpan.FromSeconds(30));
        Assert.Contains("[::1]", Assert.Single(lab.Server.Sessions).Link.Remote, StringComparison.Ordinal);
    }

    [OpenVpnFact]
    public async Task Kicked_client_is_told_to_restart_and_comes_back_as_a_new_session()
    {
        await using var lab = RealClientHarness.Start(pki, output);
        var server = lab.Server;
        var client = lab.StartClient(pki.Alice, extra: ["connect-retry 1 1", "connect-retry-max 5"]);
        await client.WaitForAsync("Initialization Sequence Completed", TimeSpan.FromSeconds(30));
        var first = Assert.Single(server.Sessions);

        Assert.True(server.Kick(first.Id));

        await WaitUntilAsync(() => Occurrences(client.Text, "Initialization Sequence Completed") >= 2, TimeSpan.FromSeconds(30));
        await WaitUntilAsync(() => server.Sessions.Count == 1 && server.Sessions.Single() != first, TimeSpan.FromSeconds(10));
        Assert.False(first.Port!.IsLive);
        Assert.True(Assert.Single(server.Sessions).IsEstablished);
    }

    internal static int Occurrences(string text, string value)
    {
        int count = 0;
        for (int i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
            count++;
        return count;
    }
}

/// <summary>Sends log lines to the xunit test output.</summary>
internal sealed class OutputLoggerProvider(ITestOutputHelper output) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new OutputLogger(output, categoryName);

    public void Dispose()
    {
    }

    private sealed class OutputLogger(ITestOutputHelper output, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                output.WriteLine($"[{logLevel}] {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
            }
            catch (InvalidOperationException)
            {
                // The test already ended.
            }
        }
    }
}

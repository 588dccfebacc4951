using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Appliance.Tunnel.Control.Tls;
using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.Sessions;
using Appliance.Tunnel.Switching;
using Appliance.Tunnel.Tests.ControlChannel;
using Appliance.Tunnel.Tests.Support;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;
using static Appliance.Tunnel.Tests.Support.OpenVpnLoopbackProcess;

namespace Appliance.Tunnel.Tests.Sessions;

/// <summary>The real OpenVPN 2.6 client (<c>dev null</c>, loopback UDP and TCP) against our whole server: tls-crypt, TLS, key method 2, push, data.</summary>
[Collection(PkiCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class TunnelServerRealClientTests(TestPki pki, ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ovpn-server-").FullName;
    private readonly StaticKey _tlsCrypt = StaticKey.Generate();

    [OpenVpnFact]
    public async Task Real_client_completes_initialization_over_udp_and_exchanges_pings()
    {
        await using var server = StartServer(TunnelProtocol.Udp, out var sw);
        using var client = StartClient("udp4", server.BoundEndpoints[0].EndPoint.Port, pki.Alice, out var log);
        try
        {
            await WaitForAsync(log, "Initialization Sequence Completed", TimeSpan.FromSeconds(30));
            Assert.Contains("peer-id", Snapshot(log));
            var session = Assert.Single(server.Sessions);
            Assert.Equal("alice", session.CommonName);
            Assert.True(session.IsEstablished);
        }
        finally
        {
            await StopAsync(client, log);
            sw.Dispose();
        }
    }

    [OpenVpnFact]
    public async Task Real_client_completes_initialization_over_tcp()
    {
        await using var server = StartServer(TunnelProtocol.Tcp, out var sw);
        using var client = StartClient("tcp-client", server.BoundEndpoints[0].EndPoint.Port, pki.Alice, out var log);
        try
        {
            await WaitForAsync(log, "Initialization Sequence Completed", TimeSpan.FromSeconds(30));
            Assert.Equal("alice", Assert.Single(server.Sessions).CommonName);
            Assert.StartsWith("tcp ", Assert.Single(server.Sessions).Link.Remote, StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(client, log);
            sw.Dispose();
        }
    }

    [OpenVpnFact]
    public async Task Client_listing_only_chacha20_gets_chacha20()
    {
        await using var server = StartServer(TunnelProtocol.Udp, out var sw);
        using var client = StartClient("udp4", server.BoundEndpoints[0].EndPoint.Port, pki.Alice, out var log, "data-ciphers CHACHA20-POLY1305");
        try
        {
            await WaitForAsync(log, "Initialization Sequence Completed", TimeSpan.FromSeconds(30));
            Assert.Contains("Data Channel: cipher 'CHACHA20-POLY1305'", Snapshot(log), StringComparison.Ordinal);
            Assert.Equal(Appliance.Tunnel.DataChannel.DataCipher.ChaCha20Poly1305, Assert.Single(server.Sessions).Cipher);
        }
        finally
        {
            await StopAsync(client, log);
            sw.Dispose();
        }
    }

    [OpenVpnTheory]
    [InlineData("revoked", "certificate revoked")]
    [InlineData("expired", "certificate expired")]
    [InlineData("foreign", "certificate not issued by this appliance")]
    public async Task Refused_certificate_gets_auth_failed_while_other_sessions_keep_working(string who, string reason)
    {
        await using var server = StartServer(TunnelProtocol.Udp, out var sw);
        int port = server.BoundEndpoints[0].EndPoint.Port;
        using var alice = StartClient("udp4", port, pki.Alice, out var aliceLog);
        var certificate = who switch { "revoked" => pki.Revoked, "expired" => pki.Expired, _ => pki.Foreign };
        using var refused = StartClient("udp4", port, certificate, out var refusedLog);
        try
        {
            await WaitForAsync(aliceLog, "Initialization Sequence Completed", TimeSpan.FromSeconds(30));
            await WaitForAsync(refusedLog, "AUTH_FAILED," + reason, TimeSpan.FromSeconds(30));
            Assert.True(refused.WaitForExit(TimeSpan.FromSeconds(15)), "the refused client did not stop after AUTH_FAILED");
            Assert.Equal(1, server.Refusals);
            await WaitUntilAsync(() => server.Sessions.Count == 1, TimeSpan.FromSeconds(10));
            Assert.Equal("alice", Assert.Single(server.Sessions).CommonName);
            Assert.True(Assert.Single(server.Sessions).IsEstablished);
        }
        finally
        {
            await StopAsync(refused, refusedLog);
            await StopAsync(alice, aliceLog);
            sw.Dispose();
        }
    }

    [OpenVpnFact]
    public async Task Wrong_tls_crypt_key_is_dropped_before_any_tls_and_counted()
    {
        await using var server = StartServer(TunnelProtocol.Udp, out var sw);
        using var wrong = StaticKey.Generate();
        using var client = StartClient("udp4", server.BoundEndpoints[0].EndPoint.Port, pki.Alice, out var log, tlsCrypt: wrong);
        try
        {
            await WaitUntilAsync(() => server.Unattributed.Snapshot().Drops(Appliance.Tunnel.Counters.DropReason.BadControlAuthentication) >= 2, TimeSpan.FromSeconds(20));
            Assert.Empty(server.Sessions);
            Assert.DoesNotContain("Initialization Sequence Completed", Snapshot(log), StringComparison.Ordinal);
            Assert.DoesNotContain("VERIFY OK", Snapshot(log), StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(client, log);
            sw.Dispose();
        }
    }

    [OpenVpnFact]
    public async Task Established_idle_session_sleeps_in_its_control_loop()
    {
        await using var server = StartServer(TunnelProtocol.Udp, out var sw);
        using var client = StartClient("udp4", server.BoundEndpoints[0].EndPoint.Port, pki.Alice, out var log);
        try
        {
            await WaitForAsync(log, "Initialization Sequence Completed", TimeSpan.FromSeconds(30));
            var session = Assert.Single(server.Sessions);
            await Task.Delay(TimeSpan.FromSeconds(1)); // the last ACKs of the push settle
            long before = session.ControlLoopTurnsForTests;
            await Task.Delay(TimeSpan.FromSeconds(2));
            long turns = session.ControlLoopTurnsForTests - before;
            // One turn a second (the loop's longest sleep) plus a few for stray control packets; a spinning loop makes millions.
            Assert.True(turns < 20, $"the control loop turned {turns} times in 2 s of silence");
        }
        finally
        {
            await StopAsync(client, log);
            sw.Dispose();
        }
    }

    [OpenVpnFact]
    public async Task Garbage_and_replayed_packets_are_counted_and_the_session_keeps_serving()
    {
        // The pushed ping of 1 s makes the client speak every second, so liveness after the attack is visible quickly.
        await using var server = StartServer(TunnelProtocol.Udp, out var sw, ping: TimeSpan.FromSeconds(1));
        var endpoint = server.BoundEndpoints[0].EndPoint;
        using var client = StartClient("udp4", endpoint.Port, pki.Alice, out var log, "ping 1");
        try
        {
            await WaitForAsync(log, "Initialization Sequence Completed", TimeSpan.FromSeconds(30));
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
        finally
        {
            await StopAsync(client, log);
            sw.Dispose();
        }
    }

    [OpenVpnFact]
    public async Task Renegotiation_every_few_seconds_keeps_the_session()
    {
        await using var server = StartServer(TunnelProtocol.Udp, out var sw);
        using var client = StartClient("udp4", server.BoundEndpoints[0].EndPoint.Port, pki.Alice, out var log, "reneg-sec 3", "ping 1");
        try
        {
            await WaitForAsync(log, "Initialization Sequence Completed", TimeSpan.FromSeconds(30));
            var session = Assert.Single(server.Sessions);
            await WaitUntilAsync(() => session.Renegotiations >= 2, TimeSpan.FromSeconds(30));
            Assert.Same(session, Assert.Single(server.Sessions));
            Assert.True(session.CurrentKeyId is >= 1 and <= 7);
            Assert.Equal(0, session.Port!.Counters.In.Snapshot().Drops(Appliance.Tunnel.Counters.DropReason.UnknownKey));
        }
        finally
        {
            await StopAsync(client, log);
            sw.Dispose();
        }
    }

    [OpenVpnFact]
    public async Task Server_initiated_renegotiation_keeps_the_session()
    {
        await using var server = StartServer(TunnelProtocol.Udp, out var sw, renegotiateAfter: TimeSpan.FromSeconds(5));
        using var client = StartClient("udp4", server.BoundEndpoints[0].EndPoint.Port, pki.Alice, out var log, "ping 1");
        try
        {
            await WaitForAsync(log, "Initialization Sequence Completed", TimeSpan.FromSeconds(30));
            var session = Assert.Single(server.Sessions);
            await WaitUntilAsync(() => session.Renegotiations >= 1, TimeSpan.FromSeconds(30));
            Assert.Same(session, Assert.Single(server.Sessions));
        }
        finally
        {
            await StopAsync(client, log);
            sw.Dispose();
        }
    }

    [OpenVpnFact]
    public async Task Revoking_a_live_client_stops_it_and_it_is_refused_when_it_returns()
    {
        await using var server = StartServer(TunnelProtocol.Udp, out var sw);
        int port = server.BoundEndpoints[0].EndPoint.Port;
        using var carol = StartClient("udp4", port, pki.Carol, out var log);
        try
        {
            await WaitForAsync(log, "Initialization Sequence Completed", TimeSpan.FromSeconds(30));
            Assert.Equal(1, server.ApplyRevocationList(pki.LoadCrl(pki.CrlRevokingMalloryAndCarol)));
            await WaitForAsync(log, "Halt command was pushed by server", TimeSpan.FromSeconds(10));
            await WaitUntilAsync(() => server.Sessions.Count == 0, TimeSpan.FromSeconds(10));
        }
        finally
        {
            await StopAsync(carol, log);
        }
        using var again = StartClient("udp4", port, pki.Carol, out var againLog);
        try
        {
            await WaitForAsync(againLog, "AUTH_FAILED,certificate revoked", TimeSpan.FromSeconds(30));
        }
        finally
        {
            await StopAsync(again, againLog);
            sw.Dispose();
        }
    }

    [OpenVpnFact]
    public async Task Client_killed_and_started_again_replaces_its_old_session_and_switch_port()
    {
        await using var server = StartServer(TunnelProtocol.Udp, out var sw);
        int port = server.BoundEndpoints[0].EndPoint.Port;
        var first = StartClient("udp4", port, pki.Alice, out var firstLog);
        TunnelSession old;
        try
        {
            await WaitForAsync(firstLog, "Initialization Sequence Completed", TimeSpan.FromSeconds(30));
            old = Assert.Single(server.Sessions);
        }
        finally
        {
            // SIGKILL: no EXIT, and the next run (nobind) comes from another source port.
            await StopAsync(first, firstLog);
            first.Dispose();
        }
        var oldPort = old.Port!;
        using var second = StartClient("udp4", port, pki.Alice, out var secondLog);
        try
        {
            await WaitForAsync(secondLog, "Initialization Sequence Completed", TimeSpan.FromSeconds(30));
            await WaitUntilAsync(() => server.Sessions.Count == 1 && server.Sessions.Single() != old, TimeSpan.FromSeconds(5));
            var current = Assert.Single(server.Sessions);
            Assert.Equal("alice", current.CommonName);
            Assert.NotEqual(old.Link.Remote, current.Link.Remote);
            Assert.False(oldPort.IsLive);
            Assert.Same(current.Port, Assert.Single(sw.Ports));
        }
        finally
        {
            await StopAsync(second, secondLog);
            sw.Dispose();
        }
    }

    [OpenVpnFact]
    public async Task Tls_auth_is_accepted_as_the_server_option()
    {
        await using var server = StartServer(TunnelProtocol.Udp, out var sw, wrap: ControlWrapMode.TlsAuth);
        using var client = StartClient("udp4", server.BoundEndpoints[0].EndPoint.Port, pki.Alice, out var log, wrapLine: "tls-auth tc.key 1");
        try
        {
            await WaitForAsync(log, "Initialization Sequence Completed", TimeSpan.FromSeconds(30));
            Assert.Equal("alice", Assert.Single(server.Sessions).CommonName);
        }
        finally
        {
            await StopAsync(client, log);
            sw.Dispose();
        }
    }

    [OpenVpnFact]
    public async Task Session_follows_its_client_to_a_new_address_and_a_replayed_data_packet_is_dropped()
    {
        await using var server = StartServer(TunnelProtocol.Udp, out var sw, ping: TimeSpan.FromSeconds(1));
        using var relay = new UdpRelay(server.BoundEndpoints[0].EndPoint);
        using var client = StartClient("udp4", relay.Port, pki.Alice, out var log);
        try
        {
            await WaitForAsync(log, "Initialization Sequence Completed", TimeSpan.FromSeconds(30));
            var session = Assert.Single(server.Sessions);
            string before = session.Link.Remote;

            relay.Rebind();
            await WaitUntilAsync(() => session.Link.Remote != before, TimeSpan.FromSeconds(15));
            Assert.EndsWith(":" + relay.OutsidePort, session.Link.Remote, StringComparison.Ordinal);
            Assert.Same(session, Assert.Single(server.Sessions));

            Assert.True(relay.ReplayLastClientData());
            await WaitUntilAsync(() => session.Port!.Counters.In.Snapshot().Drops(Appliance.Tunnel.Counters.DropReason.Replay) >= 1, TimeSpan.FromSeconds(10));
            Assert.False(session.IsClosing);
            Assert.DoesNotContain("Restart pause", Snapshot(log), StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(client, log);
            sw.Dispose();
        }
    }

    [OpenVpnTheory]
    [InlineData("udp6")]
    [InlineData("tcp6-client")]
    public async Task Real_client_connects_over_ipv6(string proto)
    {
        var transport = proto.StartsWith("udp", StringComparison.Ordinal) ? TunnelProtocol.Udp : TunnelProtocol.Tcp;
        await using var server = StartServer(transport, out var sw, address: IPAddress.IPv6Loopback);
        using var client = StartClient(proto, server.BoundEndpoints[0].EndPoint.Port, pki.Alice, out var log, host: "::1");
        try
        {
            await WaitForAsync(log, "Initialization Sequence Completed", TimeSpan.FromSeconds(30));
            Assert.Contains("[::1]", Assert.Single(server.Sessions).Link.Remote, StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(client, log);
            sw.Dispose();
        }
    }

    [OpenVpnFact]
    public async Task Kicked_client_is_told_to_restart_and_comes_back_as_a_new_session()
    {
        await using var server = StartServer(TunnelProtocol.Udp, out var sw);
        using var client = StartClient("udp4", server.BoundEndpoints[0].EndPoint.Port, pki.Alice, out var log, "connect-retry 1 1", "connect-retry-max 5");
        try
        {
            await WaitForAsync(log, "Initialization Sequence Completed", TimeSpan.FromSeconds(30));
            var first = Assert.Single(server.Sessions);

            Assert.True(server.Kick(first.Id));

            await WaitUntilAsync(() => Occurrences(Snapshot(log), "Initialization Sequence Completed") >= 2, TimeSpan.FromSeconds(30));
            await WaitUntilAsync(() => server.Sessions.Count == 1 && server.Sessions.Single() != first, TimeSpan.FromSeconds(10));
            Assert.False(first.Port!.IsLive);
            Assert.True(Assert.Single(server.Sessions).IsEstablished);
        }
        finally
        {
            await StopAsync(client, log);
            sw.Dispose();
        }
    }

    private static int Occurrences(string text, string value)
    {
        int count = 0;
        for (int i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
            count++;
        return count;
    }

    private TunnelServer StartServer(TunnelProtocol protocol, out EthernetSwitch sw, TimeSpan? renegotiateAfter = null, TimeSpan? ping = null,
        ControlWrapMode wrap = ControlWrapMode.TlsCrypt, IPAddress? address = null)
    {
        sw = new EthernetSwitch(new SwitchOptions { Policy = SwitchPolicy.AllLayer2 });
        var options = new TunnelServerOptions
        {
            Listen = [new ListenEndpoint(protocol, new IPEndPoint(address ?? IPAddress.Loopback, 0))],
            Tls = new TlsControlOptions { ServerCertificate = pki.ServerContext },
            ClientValidator = new ClientCertificateValidator(pki.Ca, pki.LoadCrl(pki.CrlRevokingMallory)),
            ControlWrapping = new ControlWrapping(wrap, _tlsCrypt),
            RenegotiateAfter = renegotiateAfter,
            Ping = ping ?? TimeSpan.FromSeconds(10),
        };
        var loggers = LoggerFactory.Create(b => b.AddProvider(new OutputLoggerProvider(output)).SetMinimumLevel(LogLevel.Debug));
        var server = new TunnelServer(options, sw, TimeProvider.System, loggers);
        server.Start();
        return server;
    }

    private Process StartClient(string proto, int port, X509Certificate2 certificate, out StringBuilder log,
        string? extra1 = null, string? extra2 = null, StaticKey? tlsCrypt = null, X509Certificate2? trustedCa = null,
        string wrapLine = "tls-crypt tc.key", string host = "127.0.0.1")
    {
        string directory = Directory.CreateDirectory(Path.Combine(_directory, Guid.NewGuid().ToString("n"))).FullName;
        File.WriteAllText(Path.Combine(directory, "ca.pem"), (trustedCa ?? pki.Ca).ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "client.pem"), certificate.ExportCertificatePem());
        using (var key = certificate.GetECDsaPrivateKey()!)
            File.WriteAllText(Path.Combine(directory, "client.key"), key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(directory, "tc.key"), (tlsCrypt ?? _tlsCrypt).ToFileText());
        File.WriteAllText(Path.Combine(directory, "client.ovpn"), $"""
            client
            dev null
            proto {proto}
            remote {host} {port}
            nobind
            ca ca.pem
            cert client.pem
            key client.key
            {wrapLine}
            remote-cert-tls server
            tls-exit
            hand-window 30
            connect-retry-max 1
            verb 4
            {extra1}
            {extra2}
            """);
        var lines = new StringBuilder();
        log = lines;
        return OpenVpnLoopbackProcess.Start(directory, lines);
    }

    private async Task StopAsync(Process client, StringBuilder log)
    {
        if (!client.HasExited)
            client.Kill();
        await client.WaitForExitAsync();
        output.WriteLine(Snapshot(log));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not become true in time");
            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        _tlsCrypt.Dispose();
        Directory.Delete(_directory, recursive: true);
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

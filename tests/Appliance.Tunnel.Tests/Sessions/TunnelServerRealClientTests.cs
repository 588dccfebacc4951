using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Appliance.Tunnel.Control.Tls;
using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.Sessions;
using Appliance.Tunnel.Switching;
using Appliance.Tunnel.Tests.ControlChannel;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

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

    private TunnelServer StartServer(TunnelProtocol protocol, out EthernetSwitch sw)
    {
        sw = new EthernetSwitch(new SwitchOptions { Policy = SwitchPolicy.AllLayer2 });
        var options = new TunnelServerOptions
        {
            Listen = [new ListenEndpoint(protocol, new IPEndPoint(IPAddress.Loopback, 0))],
            Tls = new TlsControlOptions { ServerCertificate = pki.ServerContext },
            ClientValidator = new ClientCertificateValidator(pki.Ca, pki.LoadCrl(pki.CrlRevokingMallory)),
            ControlWrapping = new ControlWrapping(ControlWrapMode.TlsCrypt, _tlsCrypt),
        };
        var loggers = LoggerFactory.Create(b => b.AddProvider(new OutputLoggerProvider(output)).SetMinimumLevel(LogLevel.Debug));
        var server = new TunnelServer(options, sw, TimeProvider.System, loggers);
        server.Start();
        return server;
    }

    private Process StartClient(string proto, int port, X509Certificate2 certificate, out StringBuilder log)
    {
        File.WriteAllText(Path.Combine(_directory, "ca.pem"), pki.Ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_directory, "client.pem"), certificate.ExportCertificatePem());
        using (var key = certificate.GetECDsaPrivateKey()!)
            File.WriteAllText(Path.Combine(_directory, "client.key"), key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(_directory, "tc.key"), _tlsCrypt.ToFileText());
        File.WriteAllText(Path.Combine(_directory, "client.ovpn"), $"""
            client
            dev null
            proto {proto}
            remote 127.0.0.1 {port}
            nobind
            ca ca.pem
            cert client.pem
            key client.key
            tls-crypt tc.key
            remote-cert-tls server
            tls-exit
            hand-window 30
            connect-retry-max 1
            verb 4
            """);
        var start = new ProcessStartInfo(OpenVpnFactAttribute.Binary)
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add("client.ovpn");
        var process = new Process { StartInfo = start };
        var lines = new StringBuilder();
        log = lines;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (lines) lines.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (lines) lines.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task StopAsync(Process client, StringBuilder log)
    {
        if (!client.HasExited)
            client.Kill();
        await client.WaitForExitAsync();
        output.WriteLine(Snapshot(log));
    }

    private static string Snapshot(StringBuilder log)
    {
        lock (log)
            return log.ToString();
    }

    private static async Task WaitForAsync(StringBuilder log, string line, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!Snapshot(log).Contains(line, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the client never logged '{line}'");
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

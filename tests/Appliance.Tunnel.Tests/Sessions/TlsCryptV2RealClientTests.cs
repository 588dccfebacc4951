using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Appliance.Tunnel.Control.Tls;
using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Sessions;
using Appliance.Tunnel.Switching;
using Appliance.Tunnel.Tests.ControlChannel;
using Appliance.Tunnel.Tests.Support;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;
using static Appliance.Tunnel.Tests.Support.OpenVpnLoopbackProcess;

namespace Appliance.Tunnel.Tests.Sessions;

/// <summary>The real OpenVPN 2.6 client with a tls-crypt-v2 key of its own against our server: it connects over UDP
/// (early negotiation, WKc resent on opcode 11) and TCP, and a refused profile never gets a TLS handshake.</summary>
[Collection(PkiCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class TlsCryptV2RealClientTests(TestPki pki, ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ovpn-v2-server-").FullName;
    private readonly StaticKey _shared = StaticKey.Generate();
    private readonly TlsCryptV2ServerKey _serverKey = TlsCryptV2ServerKey.Generate();
    private readonly HashSet<string> _refused = [];
    private int _policyCalls;

    [OpenVpnTheory]
    [InlineData("udp4", TunnelProtocol.Udp)]
    [InlineData("tcp-client", TunnelProtocol.Tcp)]
    public async Task A_client_with_its_own_v2_key_connects_and_exchanges_pings(string proto, TunnelProtocol protocol)
    {
        await using var server = StartServer(protocol, out var sw);
        using var client = StartClient(proto, server.BoundEndpoints[0].EndPoint.Port, pki.Alice, "alice", out var log);
        try
        {
            await WaitForAsync(log, "Initialization Sequence Completed", TimeSpan.FromSeconds(30));
            var session = Assert.Single(server.Sessions);
            Assert.Equal("alice", session.CommonName);
            Assert.True(Volatile.Read(ref _policyCalls) >= 1);
            if (protocol == TunnelProtocol.Udp)
                Assert.True(server.ResetsAnswered >= 1, "the UDP opening was not answered statelessly");
        }
        finally
        {
            await StopAsync(client, log);
            sw.Dispose();
        }
    }

    [OpenVpnFact]
    public async Task A_refused_profile_costs_the_server_no_tls_and_no_session()
    {
        _refused.Add("mallory");
        await using var server = StartServer(TunnelProtocol.Udp, out var sw);
        using var client = StartClient("udp4", server.BoundEndpoints[0].EndPoint.Port, pki.Alice, "mallory", out var log);
        try
        {
            await WaitUntilAsync(() => server.Unattributed.Snapshot().Drops(DropReason.ClientRefused) >= 2, TimeSpan.FromSeconds(20));
            Assert.Empty(server.Sessions);
            Assert.Equal(0, server.ResetsAnswered);
            Assert.DoesNotContain("VERIFY OK", Snapshot(log), StringComparison.Ordinal);
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
            ClientValidator = new ClientCertificateValidator(pki.Ca),
            ControlWrapping = new ControlWrapping(ControlWrapMode.TlsCrypt, _shared)
            {
                TlsCryptV2 = new TlsCryptV2Settings(_serverKey, (in TlsCryptV2Metadata m) =>
                {
                    Interlocked.Increment(ref _policyCalls);
                    return _refused.Contains(m.CommonName) ? TlsCryptV2Verdict.Revoked : TlsCryptV2Verdict.Accepted;
                }),
            },
        };
        var loggers = LoggerFactory.Create(b => b.AddProvider(new OutputLoggerProvider(output)).SetMinimumLevel(LogLevel.Debug));
        var server = new TunnelServer(options, sw, TimeProvider.System, loggers);
        server.Start();
        return server;
    }

    private Process StartClient(string proto, int port, X509Certificate2 certificate, string keyName, out StringBuilder log)
    {
        string directory = Directory.CreateDirectory(Path.Combine(_directory, Guid.NewGuid().ToString("n"))).FullName;
        File.WriteAllText(Path.Combine(directory, "ca.pem"), pki.Ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "client.pem"), certificate.ExportCertificatePem());
        using (var key = certificate.GetECDsaPrivateKey()!)
            File.WriteAllText(Path.Combine(directory, "client.key"), key.ExportPkcs8PrivateKeyPem());
        var metadata = TlsCryptV2Metadata.Encode(Convert.FromHexString(certificate.SerialNumber), keyName, certificate.NotAfter);
        using (var clientKey = TlsCryptV2ClientKey.Create(_serverKey, metadata))
            File.WriteAllText(Path.Combine(directory, "v2.key"), clientKey.ToPemText());
        File.WriteAllText(Path.Combine(directory, "client.ovpn"), $"""
            client
            dev null
            proto {proto}
            remote 127.0.0.1 {port}
            nobind
            ca ca.pem
            cert client.pem
            key client.key
            tls-crypt-v2 v2.key
            remote-cert-tls server
            tls-exit
            hand-window 30
            connect-retry-max 1
            verb 4
            """);
        log = new StringBuilder();
        return OpenVpnLoopbackProcess.Start(directory, log);
    }

    private async Task StopAsync(Process client, StringBuilder log)
    {
        if (!client.HasExited)
            client.Kill();
        await client.WaitForExitAsync();
        output.WriteLine(Snapshot(log));
    }

    private static Task WaitUntilAsync(Func<bool> condition, TimeSpan patience) =>
        Eventually.TrueAsync(condition, patience, "condition not met in time");

    public void Dispose()
    {
        _serverKey.Dispose();
        _shared.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

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

namespace Appliance.Tunnel.Tests.Sessions;

/// <summary>Our server on loopback, its switch, and the real OpenVPN 2.6 clients a test starts against it; disposing stops
/// every client this harness started (by its PID), prints their logs, and then stops the server and the switch.</summary>
internal sealed class RealClientHarness : IAsyncDisposable
{
    private readonly TestPki _pki;
    private readonly ITestOutputHelper _output;
    private readonly string _directory = Directory.CreateTempSubdirectory("ovpn-server-").FullName;
    private readonly List<RealClient> _clients = [];

    private RealClientHarness(TestPki pki, ITestOutputHelper output, TunnelServerOptions options, EthernetSwitch ethernetSwitch, StaticKey key, bool quiet)
    {
        _pki = pki;
        _output = output;
        Switch = ethernetSwitch;
        TlsCrypt = key;
        var loggers = LoggerFactory.Create(b => b.AddProvider(new OutputLoggerProvider(output)).SetMinimumLevel(quiet ? LogLevel.Information : LogLevel.Debug));
        Server = new TunnelServer(options, ethernetSwitch, TimeProvider.System, loggers);
        Server.Start();
    }

    public TunnelServer Server { get; }
    public EthernetSwitch Switch { get; }

    /// <summary>The shared tls-crypt / tls-auth key of the server and of the profiles this harness writes.</summary>
    public StaticKey TlsCrypt { get; }

    public IPEndPoint Endpoint => Server.BoundEndpoints[0].EndPoint;
    public int Port => Endpoint.Port;

    /// <summary>Starts a server listening on <paramref name="protocol"/> at <paramref name="address"/> (loopback by default), port 0.</summary>
    /// <param name="quiet">Server logs from Information up only (load tests: the test output keeps every line in memory).</param>
    /// <param name="configure">A last change to the options (limits, timers) before the server is built.</param>
    public static RealClientHarness Start(TestPki pki, ITestOutputHelper output, TunnelProtocol protocol = TunnelProtocol.Udp,
        TimeSpan? renegotiateAfter = null, TimeSpan? ping = null, ControlWrapMode wrap = ControlWrapMode.TlsCrypt, IPAddress? address = null,
        Func<TunnelServerOptions, TunnelServerOptions>? configure = null, IReadOnlyList<ListenEndpoint>? listen = null, bool quiet = false)
    {
        var key = StaticKey.Generate();
        var sw = new EthernetSwitch(new SwitchOptions { Policy = SwitchPolicy.AllLayer2 });
        var options = new TunnelServerOptions
        {
            Listen = listen ?? [new ListenEndpoint(protocol, new IPEndPoint(address ?? IPAddress.Loopback, 0))],
            Tls = new TlsControlOptions { ServerCertificate = pki.ServerContext },
            ClientValidator = new ClientCertificateValidator(pki.Ca, pki.LoadCrl(pki.CrlRevokingMallory)),
            ControlWrapping = new ControlWrapping(wrap, key),
            RenegotiateAfter = renegotiateAfter,
            Ping = ping ?? TimeSpan.FromSeconds(10),
        };
        if (configure is not null)
            options = configure(options);
        return new RealClientHarness(pki, output, options, sw, key, quiet);
    }

    /// <summary>Starts <c>openvpn --config client.ovpn</c> with a profile for <paramref name="certificate"/> (<c>dev null</c>,
    /// <c>verb 4</c>); <paramref name="extra"/> lines come last, so they override the defaults above them.</summary>
    public RealClient StartClient(X509Certificate2 certificate, string proto = "udp4", int? port = null, string host = "127.0.0.1",
        StaticKey? tlsCrypt = null, string wrapLine = "tls-crypt tc.key", params string[] extra)
    {
        string directory = Directory.CreateDirectory(Path.Combine(_directory, Guid.NewGuid().ToString("n"))).FullName;
        File.WriteAllText(Path.Combine(directory, "ca.pem"), _pki.Ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "client.pem"), certificate.ExportCertificatePem());
        using (var key = certificate.GetECDsaPrivateKey()!)
            File.WriteAllText(Path.Combine(directory, "client.key"), key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(directory, "tc.key"), (tlsCrypt ?? TlsCrypt).ToFileText());
        File.WriteAllText(Path.Combine(directory, "client.ovpn"), $"""
            client
            dev null
            proto {proto}
            remote {host} {port ?? Port}
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
            {string.Join('\n', extra)}
            """);
        var log = new StringBuilder();
        var client = new RealClient(OpenVpnLoopbackProcess.Start(directory, log), log, directory, _output);
        lock (_clients)
            _clients.Add(client);
        return client;
    }

    /// <summary>Polls <paramref name="condition"/> every 50 ms; fails with <paramref name="what"/> when it is still false after <paramref name="patience"/>.</summary>
    public static Task WaitUntilAsync(Func<bool> condition, TimeSpan patience, string what = "the condition did not become true in time") =>
        Eventually.TrueAsync(condition, patience, what);

    public async ValueTask DisposeAsync()
    {
        RealClient[] clients;
        lock (_clients)
            clients = [.. _clients];
        foreach (var client in clients)
        {
            await client.StopAsync();
            client.Dispose();
        }
        await Server.DisposeAsync();
        Switch.Dispose();
        TlsCrypt.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A client that was slow to exit may still hold its status file; the temp folder is not worth a failure.
        }
    }
}

/// <summary>One real OpenVPN client process started by <see cref="RealClientHarness"/>, with its log and profile folder.</summary>
internal sealed class RealClient(Process process, StringBuilder log, string directory, ITestOutputHelper output) : IDisposable
{
    private int _stopped;

    public Process Process { get; } = process;
    public StringBuilder Log { get; } = log;

    /// <summary>The folder holding this client's profile (and any status file it writes).</summary>
    public string Directory { get; } = directory;

    public string Text => OpenVpnLoopbackProcess.Snapshot(Log);
    public bool HasExited => Process.HasExited;

    public Task WaitForAsync(string line, TimeSpan patience) => OpenVpnLoopbackProcess.WaitForAsync(Log, line, patience);

    public bool WaitForExit(TimeSpan patience) => Process.WaitForExit(patience);

    /// <summary>Kills the client (SIGKILL: no EXIT is sent), waits for it and prints its log; the second call does nothing.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
            return;
        if (!Process.HasExited)
            Process.Kill();
        await Process.WaitForExitAsync();
        try
        {
            output.WriteLine(Text);
        }
        catch (InvalidOperationException)
        {
            // The test already ended.
        }
    }

    public void Dispose() => Process.Dispose();
}

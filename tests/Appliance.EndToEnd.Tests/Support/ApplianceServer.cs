using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Appliance.Agent.Profiles;
using Appliance.Tunnel.Control.Tls;
using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.Devices;
using Appliance.Tunnel.Sessions;
using Appliance.Tunnel.Switching;
using Microsoft.Extensions.Logging;

namespace Appliance.EndToEnd.Tests.Support;

/// <summary>What to start our server with in a <see cref="VpnLab"/>.</summary>
public sealed record ApplianceServerOptions
{
    public OpenVpnTransport Transport { get; init; } = OpenVpnTransport.Udp;
    public int Port { get; init; } = 1194;
    public SwitchPolicy Policy { get; init; } = SwitchPolicy.PppoeOnly;
    public TimeSpan? RenegotiateAfter { get; init; }
    /// <summary>Gets each log line (the test's output); null for none.</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>
/// Our engine as the appliance runs it, inside <see cref="VpnLab.Server"/>: the tunnel server on
/// <see cref="VpnLab.ServerAddress"/>, the switch, and the uplink TAP on <see cref="VpnLab.UplinkBridge"/>.
/// Profiles come from the product's own <see cref="ProfileRenderer"/>.
/// </summary>
public sealed class ApplianceServer : IVpnServerEndpoint, IAsyncDisposable
{
    public const string UplinkTap = "appl-up0";
    private readonly TestPki _pki;
    private readonly ILoggerFactory _loggers;

    private ApplianceServer(VpnLab lab, TestPki pki, ApplianceServerOptions options)
    {
        _pki = pki;
        Options = options;
        _loggers = LoggerFactory.Create(b =>
        {
            if (options.Log is { } log)
                b.AddProvider(new LineLoggerProvider(log));
            b.SetMinimumLevel(LogLevel.Information);
        });
        Switch = new EthernetSwitch(new SwitchOptions { Policy = options.Policy });
        var ca = X509Certificate2.CreateFromPem(pki.Ca.CertificatePem);
        using var serverCertificate = X509Certificate2.CreateFromPem(pki.Server.CertificatePem, pki.Server.PrivateKeyPem);
        var context = SslStreamCertificateContext.Create(X509CertificateLoader.LoadPkcs12(serverCertificate.Export(X509ContentType.Pkcs12), null), [ca], offline: true);
        if (!CertificateRevocationList.TryLoad(System.Text.Encoding.ASCII.GetBytes(pki.Ca.CrlPem()), ca, out var crl, out string? error))
            throw new InvalidOperationException("test CRL does not load: " + error);
        if (StaticKey.TryParse(pki.TlsCryptKey, out var tlsCrypt) != StaticKeyParseResult.Ok || tlsCrypt is null)
            throw new InvalidOperationException("test tls-crypt key does not parse");
        var serverOptions = new TunnelServerOptions
        {
            Listen = [new ListenEndpoint(options.Transport == OpenVpnTransport.Udp ? TunnelProtocol.Udp : TunnelProtocol.Tcp,
                new IPEndPoint(IPAddress.Parse(VpnLab.ServerAddress), options.Port))],
            Tls = new TlsControlOptions { ServerCertificate = context },
            ClientValidator = new ClientCertificateValidator(ca, crl),
            ControlWrapping = new ControlWrapping(ControlWrapMode.TlsCrypt, tlsCrypt),
            RenegotiateAfter = options.RenegotiateAfter,
        };
        Server = new TunnelServer(serverOptions, Switch, TimeProvider.System, _loggers);
        // Sockets and the TAP belong to the namespace of the thread that opens them.
        Uplink = lab.Server.InvokeInside(() =>
        {
            Server.Start();
            return new DevicePort(Switch, TapDevice.Open(UplinkTap, new TapOptions { Bridge = VpnLab.UplinkBridge }), PortKind.Uplink, "uplink");
        });
    }

    public ApplianceServerOptions Options { get; }
    public EthernetSwitch Switch { get; }
    public TunnelServer Server { get; }
    public DevicePort Uplink { get; }

    public string Address => VpnLab.ServerAddress;
    public int Port => Server.BoundEndpoints[0].EndPoint.Port;
    public OpenVpnTransport Transport => Options.Transport;

    public static ApplianceServer Start(VpnLab lab, TestPki pki, ApplianceServerOptions? options = null) =>
        new(lab, pki, options ?? new ApplianceServerOptions());

    /// <summary>The profile the product hands this client (Linux variant: it brings its tap up itself).</summary>
    public string RenderProfile(IssuedCertificate client, ProfilePlatform platform = ProfilePlatform.Linux, params string[] extraLines)
    {
        string profile = ProfileRenderer.Render(new Appliance.Agent.Profiles.ClientProfile
        {
            ClientName = client.CommonName,
            ServerHost = Address,
            ServerPort = Port,
            Tcp = Transport == OpenVpnTransport.Tcp,
            ServerName = _pki.Server.CommonName,
            CaPem = _pki.Ca.CertificatePem,
            CertificatePem = client.CertificatePem,
            PrivateKeyPem = client.PrivateKeyPem,
            // This server holds the shared tls-crypt key only.
            ControlWrap = ProfileControlWrap.TlsCrypt,
            TlsCryptKey = _pki.TlsCryptKey,
            Platform = platform,
        });
        return extraLines.Length == 0 ? profile : profile.Replace("verb 3\n", "verb 3\n" + string.Join('\n', extraLines) + "\n", StringComparison.Ordinal);
    }

    /// <summary>The one session whose client certificate has this common name, or null.</summary>
    public TunnelSession? SessionOf(string commonName) =>
        Server.Sessions.FirstOrDefault(s => s.CommonName == commonName && !s.IsClosing);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Uplink.Dispose();
        Switch.Dispose();
        _loggers.Dispose();
    }

    private sealed class LineLoggerProvider(Action<string> write) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new LineLogger(write);

        public void Dispose()
        {
        }

        private sealed class LineLogger(Action<string> write) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                try
                {
                    write($"[server {logLevel}] {formatter(state, exception)}");
                }
                catch (InvalidOperationException)
                {
                    // The test that owned the output has ended.
                }
            }
        }
    }
}

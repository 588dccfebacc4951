using System.Net.Security;
using System.Runtime.Versioning;
using System.Security.Cryptography.X509Certificates;
using Appliance.Agent.Config;
using Appliance.Agent.Handover;
using Appliance.Agent.Pki;
using Appliance.Agent.State;
using Appliance.Tunnel.Control.Tls;
using Appliance.Tunnel.DataChannel;
using Appliance.Tunnel.Sessions;
using Appliance.Tunnel.Switching;

namespace Appliance.Agent.Tunnel;

/// <summary>Runs the engine's <see cref="TunnelServer"/> on the configured listeners with the state directory's PKI.</summary>
/// <remarks>
/// The engine's validator gets a refusal list signed in memory by the CA: the revoked serials plus those of disabled
/// clients (<see cref="ClientRegistry.SignRefusalList"/>). It is applied at start and again whenever the registry's CRL
/// or a client's disabled flag changes, which also closes the live sessions it now refuses. tls-crypt-v2 openings are
/// judged earlier, before any TLS, by <see cref="RegistryTlsCryptV2Policy"/> over the same registry.
/// </remarks>
[SupportedOSPlatform("linux")]
internal sealed class TunnelHost(ApplianceState state, LiveConfig config, EthernetSwitch sw, EndedSessions ended, AgentHandover handover, TimeProvider time, ILoggerFactory loggers, ILogger<TunnelHost> log)
    : IHostedService, IAsyncDisposable
{
    private readonly Lock _refusalGate = new();
    private TunnelServer? _server;
    private ClientCertificateValidator? _validator;

    public TunnelServer? Server => _server;

    /// <summary>Where the tunnel listens (ports resolved), e.g. "udp 0.0.0.0:1194".</summary>
    public IReadOnlyList<ListenEndpoint> Listeners => _server?.BoundEndpoints ?? [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var tunnel = config.Started.Tunnel;
        var listen = new List<ListenEndpoint>();
        foreach (string text in tunnel.Listen)
        {
            // Validated with the rest of the config.
            if (ListenAddress.TryParseTunnel(text, out var endpoint, out _))
                listen.Add(endpoint);
        }
        var ciphers = new List<DataCipher>();
        foreach (string name in tunnel.Ciphers)
        {
            if (DataCiphers.TryParse(name, out var cipher))
                ciphers.Add(cipher);
        }
        _validator = new ClientCertificateValidator(X509CertificateLoader.LoadCertificate(state.Ca.Certificate.RawData), RefusalList(), time);
        var options = new TunnelServerOptions
        {
            Listen = listen,
            Tls = new TlsControlOptions { ServerCertificate = ServerContext(state.Ca) },
            ClientValidator = _validator,
            ControlWrapping = ControlWrappingFor(state, time),
            Ciphers = ciphers,
            Ping = TimeSpan.FromSeconds(tunnel.PingSeconds),
            PingRestart = TimeSpan.FromSeconds(tunnel.PingRestartSeconds),
            RenegotiateAfter = TimeSpan.FromSeconds(tunnel.RenegotiateSeconds),
            AllowsConcurrentSessions = state.Clients.AllowsConcurrent,
            MaxSessions = tunnel.MaxSessions,
            MaxFrameLength = sw.Options.MaxFrameLength(sw.Options.MaxVlanTags),
        };
        var server = new TunnelServer(options, sw, time, loggers);
        var adopted = new List<string>();
        try
        {
            // Taken-over sessions first, then the uplink's adopted TAP, then the adopted sockets are read: no datagram or
            // frame queued during the hand-over meets a switch without its port.
            server.Start(handover.Incoming is { } incoming ? (index, listen) => AdoptListener(incoming, index, listen, adopted) : null, handover.CarriedState, receive: false);
            handover.SessionsRestored();
            server.BeginReceiving();
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or InvalidOperationException)
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw new InvalidOperationException($"config tunnel.listen [{string.Join(", ", tunnel.Listen)}]: {e.Message}", e);
        }
        server.SessionClosed += OnSessionClosed;
        _server = server;
        state.Clients.RevocationListChanged += OnRefusalsChanged;
        state.Clients.AccessChanged += OnRefusalsChanged;
        Log.TunnelListening(log, server.BoundEndpoints);
        if (handover.CarriedState is { } carried)
        {
            string list = adopted.Count == 0 ? "none" : string.Join(", ", adopted);
            Log.TookOver(log, server.TakenOver, carried.Sessions.Count, list);
        }
        return Task.CompletedTask;
    }

    /// <summary>The previous process's socket for this listen entry, when it matches the entry; the reason logged when not.</summary>
    private System.Net.Sockets.Socket? AdoptListener(HandoverBundle incoming, int index, ListenEndpoint listen, List<string> adopted)
    {
        var socket = incoming.TakeListener(index, listen.Protocol == TunnelProtocol.Udp, listen.EndPoint, out string? mismatch);
        if (mismatch is not null)
            Log.HandoverNotUsed(log, HandoverBundle.ListenerName(index), mismatch);
        if (socket is not null)
            adopted.Add($"{listen.Protocol.ToString().ToLowerInvariant()} {socket.LocalEndPoint}");
        return socket;
    }

    /// <summary>
    /// Old profiles open with the shared tls-crypt key (opcode 7), new ones with their own tls-crypt-v2 key (opcode 10),
    /// judged by the registry before any TLS.
    /// </summary>
    internal static ControlWrapping ControlWrappingFor(ApplianceState state, TimeProvider time) =>
        new(ControlWrapMode.TlsCrypt, state.Ca.TlsCryptKey)
        {
            TlsCryptV2 = new TlsCryptV2Settings(state.Ca.TlsCryptV2ServerKey, new RegistryTlsCryptV2Policy(state.Clients, time).Check),
        };

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (handover.Enabled && _server is { } server)
            HandOver(server);
        await DisposeAsync();
    }

    /// <summary>The listeners' sockets and the sessions' state (a sealed memfd, never a file) for the next process; on
    /// failure the sessions end as on a plain stop.</summary>
    private void HandOver(TunnelServer server)
    {
        try
        {
            var (carried, sockets) = server.HandOver(AgentHandover.IdentityOf(state.Ca));
            byte[] blob = TunnelStateCodec.Encode(carried);
            handover.OutgoingSessions = carried.Sessions.Count;
            try
            {
                handover.Outgoing.Add(HandoverBundle.StateName, Handover.HandoverNative.SealedMemory("appliance-tunnel-state", blob));
            }
            finally
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(blob);
            }
            foreach (var (index, fd) in sockets)
                handover.Outgoing.Add(HandoverBundle.ListenerName(index), fd);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            Log.HandoverFailed(log, e.Message);
        }
    }

    /// <summary>An ended session's last view is kept for the operator, with the engine's reason.</summary>
    private void OnSessionClosed(TunnelSession session) => ended.Remember(session, session.CloseReason);

    public async ValueTask DisposeAsync()
    {
        state.Clients.RevocationListChanged -= OnRefusalsChanged;
        state.Clients.AccessChanged -= OnRefusalsChanged;
        var server = Interlocked.Exchange(ref _server, null);
        if (server is not null)
            await server.DisposeAsync();
    }

    private void OnRefusalsChanged(ClientRegistry registry)
    {
        // Serialized: two changes in quick succession must not apply their lists out of order.
        lock (_refusalGate)
        {
            if (_server is not { } server)
                return;
            int stopped = server.ApplyRevocationList(RefusalList());
            Log.RefusalsApplied(log, stopped);
        }
    }

    private CertificateRevocationList RefusalList()
    {
        if (!CertificateRevocationList.TryLoad(state.Clients.SignRefusalList(), state.Ca.Certificate, out var list, out string? error) || list is null)
            throw new StateDirectoryException($"the CA's own refusal list does not load ({error}); the CA files in '{state.Directory.FullPath}' are inconsistent");
        return list;
    }

    private static SslStreamCertificateContext ServerContext(ApplianceCa ca)
    {
        // A PKCS#12 round trip gives SslStream a key it can use on every platform (the PEM-loaded key is ephemeral).
        var server = X509CertificateLoader.LoadPkcs12(ca.ServerCertificate.Export(X509ContentType.Pkcs12), null);
        return SslStreamCertificateContext.Create(server, [X509CertificateLoader.LoadCertificate(ca.Certificate.RawData)], offline: true);
    }
}

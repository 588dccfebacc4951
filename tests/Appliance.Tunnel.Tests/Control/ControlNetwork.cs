using System.Buffers.Binary;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Appliance.Tunnel.Control.Reliability;
using Appliance.Tunnel.Control.Tls;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tunnel.Tests.ControlChannel;

/// <summary>
/// Our server <see cref="TlsControlSession"/> and a client <see cref="SslStream"/>, each over its own reliable channel,
/// joined by a <see cref="LossyLink"/>. A pump task plays both key states' loops; when neither TLS side nor the link
/// has anything to do, the fake clock jumps to the next retransmit.
/// </summary>
public sealed class ControlNetwork : IAsyncDisposable
{
    public const int ServerSide = 0;
    public const int ClientSide = 1;

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private readonly Random _random;
    private readonly ReliableReceiver _sniffer = new(window: 64, maxPayloadLength: 4096);
    private readonly List<byte> _serverToClientBytes = [];
    private readonly object _sniffLock = new();

    public ControlNetwork(TestPki pki, ClientCertificateValidator validator, LossyLink link, SslProtocols serverProtocols = SslProtocols.Tls12 | SslProtocols.Tls13)
    {
        Link = link;
        _random = new Random(17);
        Time = new FakeTimeProvider(pki.Now);
        var options = new ReliabilityOptions { HandshakeWindow = TimeSpan.FromHours(1) };
        ServerChannel = new ReliableChannel(0, options, Time);
        ClientChannel = new ReliableChannel(0, options, Time);
        Server = new TlsControlSession(new TlsControlOptions { ServerCertificate = pki.ServerContext, Protocols = serverProtocols }, validator);
        ClientTransport = new ControlChannelStream();
        Client = new SslStream(ClientTransport, leaveInnerStreamOpen: true);
        link.OnSend = Sniff;
        _pump = Task.Run(() => PumpAsync(_stop.Token));
    }

    public FakeTimeProvider Time { get; }
    public LossyLink Link { get; }
    public ReliableChannel ServerChannel { get; }
    public ReliableChannel ClientChannel { get; }
    public TlsControlSession Server { get; }
    public ControlChannelStream ClientTransport { get; }
    public SslStream Client { get; }
    public int ClockJumps { get; private set; }

    /// <summary>Runs both handshakes; the client side presents <paramref name="clientCertificate"/> (or none) and trusts only our CA.</summary>
    public async Task<(TlsHandshakeResult Server, Exception? Client)> HandshakeAsync(TestPki pki, X509Certificate2? clientCertificate)
    {
        var clientOptions = new SslClientAuthenticationOptions
        {
            TargetHost = "vpn.appliance.test",
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate!,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => ChainsTo(pki.Ca, certificate),
        };
        var server = Server.AuthenticateAsync();
        var client = Client.AuthenticateAsClientAsync(clientOptions);
        var serverResult = await server.WaitAsync(TimeSpan.FromSeconds(30));
        Exception? clientError = null;
        try
        {
            await client.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            clientError = e;
        }
        return (serverResult, clientError);
    }

    private static bool ChainsTo(X509Certificate2 ca, X509Certificate? certificate)
    {
        if (certificate is not X509Certificate2 c)
            return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(c);
    }

    /// <summary>The server→client TLS byte stream as sent (before loss), reassembled in order.</summary>
    public byte[] ServerToClientBytes()
    {
        lock (_sniffLock)
            return [.. _serverToClientBytes];
    }

    /// <summary>TLS records (content type, length) in a byte stream; ignores a trailing partial record.</summary>
    public static List<(byte Type, int Length)> Records(ReadOnlySpan<byte> stream)
    {
        var records = new List<(byte, int)>();
        while (stream.Length >= 5)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(stream[3..]);
            if (stream.Length < 5 + length)
                break;
            records.Add((stream[0], length));
            stream = stream[(5 + length)..];
        }
        return records;
    }

    private void Sniff(int to, LinkPacket packet)
    {
        if (to != ClientSide || packet.IsPureAck)
            return;
        lock (_sniffLock)
        {
            _sniffer.Receive(packet.MessageId, packet.Payload);
            while (_sniffer.TryTakeNext(out var payload))
                _serverToClientBytes.AddRange(payload.ToArray());
        }
    }

    private async Task PumpAsync(CancellationToken stop)
    {
        int idleRounds = 0;
        while (!stop.IsCancellationRequested)
        {
            bool progress = Server.Transport.Exchange(ServerChannel);
            progress |= ClientTransport.Exchange(ClientChannel);
            progress |= Link.Flush(ServerChannel, ClientSide);
            progress |= Link.Flush(ClientChannel, ServerSide);
            progress |= Link.Deliver(ClientChannel, ClientSide, max: 1 + _random.Next(3)) > 0;
            progress |= Link.Deliver(ServerChannel, ServerSide, max: 1 + _random.Next(3)) > 0;
            if (progress)
            {
                idleRounds = 0;
                continue;
            }
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var activity = Task.WhenAny(
                Server.Transport.WaitForActivityAsync(wait.Token).AsTask(),
                ClientTransport.WaitForActivityAsync(wait.Token).AsTask());
            var first = await Task.WhenAny(activity, Task.Delay(10, stop)).ConfigureAwait(false);
            wait.Cancel();
            if (first == activity && !stop.IsCancellationRequested)
            {
                idleRounds = 0;
                continue;
            }
            // TLS on both sides is waiting for the network: only a retransmit can move things on.
            if (++idleRounds >= 3)
            {
                idleRounds = 0;
                var next = Min(ServerChannel.Sender.TimeUntilNextDue(), ClientChannel.Sender.TimeUntilNextDue());
                if (next is { } jump)
                {
                    Time.Advance(jump);
                    ClockJumps++;
                }
            }
        }
    }

    private static TimeSpan? Min(TimeSpan? x, TimeSpan? y) => x is null ? y : y is null ? x : (x < y ? x : y);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _pump.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
        }
        ClientTransport.CompleteInbound();
        await Server.DisposeAsync();
        await Client.DisposeAsync();
        await ClientTransport.DisposeAsync();
        _stop.Dispose();
    }
}

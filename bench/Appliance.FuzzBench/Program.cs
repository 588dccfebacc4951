using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Appliance.Tunnel.Control.Tls;
using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Sessions;
using Appliance.Tunnel.Switching;
using Appliance.Tunnel.Tests.Support;

// The nightly-sized wire fuzz of issue 11: mutated packets of every opcode under both wraps against a running TunnelServer
// on loopback UDP (and a TCP tail). Prints datagrams/s, CPU seconds per million garbage datagrams and memory at start/end;
// exits 1 when a datagram that reached the server was not counted as a drop or memory grew.
// Usage: fuzz-bench [--datagrams N] [--seed S] [--tcp-connections C]
long total = 10_000_000;
int seed = 1;
int tcpConnections = 5_000;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    bool ok = long.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n > 0;
    switch (args[i])
    {
        case "--datagrams" when ok:
            total = n;
            break;
        case "--seed" when ok:
            seed = (int)n;
            break;
        case "--tcp-connections" when ok:
            tcpConnections = (int)n;
            break;
        default:
            Console.Error.WriteLine("usage: fuzz-bench [--datagrams N (default 10000000)] [--seed S] [--tcp-connections C]");
            return 2;
    }
}
if (args.Length % 2 != 0)
{
    Console.Error.WriteLine("usage: fuzz-bench [--datagrams N (default 10000000)] [--seed S] [--tcp-connections C]");
    return 2;
}

var fuzzer = IPAddress.Parse("127.0.0.5");
var random = new Random(seed);
using var pki = BenchCertificates.Create();

// What the fuzzer costs by itself: the same traffic into a socket whose thread only reads and discards.
double bareCpuPerMillion = BareReceiver.CpuPerMillion(fuzzer, random, Math.Min(total / 10, 1_000_000));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"baseline: fuzzer + kernel + a bare receive loop = {bareCpuPerMillion:0.00} CPU s per million datagrams"));

bool allGood = true;
foreach (var wrap in new[] { ControlWrapMode.TlsCrypt, ControlWrapMode.TlsAuth })
{
    using var key = StaticKey.Generate();
    using var sw = new EthernetSwitch(new SwitchOptions { Policy = SwitchPolicy.AllLayer2 });
    var options = new TunnelServerOptions
    {
        Listen = [new ListenEndpoint(TunnelProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 0)), new ListenEndpoint(TunnelProtocol.Tcp, new IPEndPoint(IPAddress.Loopback, 0))],
        Tls = new TlsControlOptions { ServerCertificate = pki.ServerContext },
        ClientValidator = new ClientCertificateValidator(pki.Ca),
        ControlWrapping = new ControlWrapping(wrap, key),
    };
    await using var server = new TunnelServer(options, sw);
    server.Start();
    var udp = server.BoundEndpoints.Single(e => e.Protocol == TunnelProtocol.Udp).EndPoint;
    var tcp = server.BoundEndpoints.Single(e => e.Protocol == TunnelProtocol.Tcp).EndPoint;

    // Seeds under this server's key (both wraps: the other wrap is garbage to it too) and under a stranger's key.
    var corpus = new FuzzCorpus();
    corpus.AddSynthetic(key, [1, 2, 0xFFFFFF, 0], seed);
    using (var stranger = StaticKey.Generate())
        corpus.AddSynthetic(stranger, [3], seed + 1);

    var warmUp = new FuzzTally();
    FuzzTraffic.SendUdp(udp, fuzzer, corpus.Seeds, random, 50_000, TimeSpan.FromSeconds(10), 0, warmUp);
    Thread.Sleep(500);
    var start = BenchMemory.Now();
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    long kernelBefore = UdpSocketDrops.Read(udp);
    var before = server.Unattributed.Snapshot();

    var tally = new FuzzTally();
    var clock = Stopwatch.StartNew();
    FuzzTraffic.SendUdp(udp, fuzzer, corpus.Seeds, random, total / 2, TimeSpan.FromHours(1), 0, tally);
    var elapsed = clock.Elapsed;
    long kernelDrops = UdpSocketDrops.Read(udp) - kernelBefore;
    long reached = tally.Datagrams - kernelDrops;
    var settle = Stopwatch.StartNew();
    while (server.Unattributed.Snapshot().Since(before).DroppedFrames < reached && settle.Elapsed < TimeSpan.FromSeconds(10))
        Thread.Sleep(50);
    var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
    var drops = server.Unattributed.Snapshot().Since(before);

    var tcpBefore = server.Unattributed.Snapshot();
    await FuzzTraffic.SendTcpAsync(tcp, fuzzer, corpus.Seeds, random, tcpConnections, TimeSpan.FromMinutes(5), tally);
    settle.Restart();
    while (server.Unattributed.Snapshot().Since(tcpBefore).DroppedFrames < tally.TcpCompleteFirstFrames && settle.Elapsed < TimeSpan.FromSeconds(10))
        Thread.Sleep(50);
    long tcpCounted = server.Unattributed.Snapshot().Since(tcpBefore).DroppedFrames;
    Thread.Sleep(1000);
    var end = BenchMemory.Now();

    double perMillion = cpu.TotalSeconds / Math.Max(1, reached) * 1e6;
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{wrap}: {tally.Datagrams:N0} datagrams in {elapsed.TotalSeconds:0.0} s: {tally.Datagrams / elapsed.TotalSeconds:N0}/s sent, {reached / elapsed.TotalSeconds:N0}/s reached the server (kernel dropped {kernelDrops:N0}, {tally.EmptyDatagrams:N0} empty)"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  CPU: {perMillion:0.00} s per million (process), {perMillion - bareCpuPerMillion:0.00} s per million above a bare receive loop"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  memory: managed {start.Managed / 1e6:0.0} -> {end.Managed / 1e6:0.0} MB, working set {start.WorkingSet / 1e6:0.0} -> {end.WorkingSet / 1e6:0.0} MB"));
    Console.WriteLine("  drops: " + string.Join(", ", Enum.GetValues<DropReason>().Where(r => drops.Drops(r) > 0).Select(r => string.Create(CultureInfo.InvariantCulture, $"{r} {drops.Drops(r):N0}"))));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  TCP: {tally.TcpConnections:N0} connections, {tally.TcpCompleteFirstFrames:N0} complete first frames, {tally.TcpCompleteFrames:N0} complete frames, {tcpCounted:N0} counted"));
    Console.WriteLine($"  sessions opened by mutated packets: {server.Sessions.Count}");

    if (drops.DroppedFrames != reached)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  FAIL: {reached:N0} datagrams reached the server, {drops.DroppedFrames:N0} were counted as drops"));
        allGood = false;
    }
    if (tcpCounted < tally.TcpCompleteFirstFrames || tcpCounted > tally.TcpCompleteFrames)
    {
        Console.WriteLine($"  FAIL: over TCP {tally.TcpCompleteFirstFrames} complete first frames, {tcpCounted} counted");
        allGood = false;
    }
    if (server.Sessions.Count > 0)
    {
        Console.WriteLine("  FAIL: mutated packets opened sessions");
        allGood = false;
    }
    // Same bounds as the test slice (TunnelServerFuzzTests): no per-datagram state may survive.
    if (end.Managed - start.Managed > 16_000_000 || end.WorkingSet - start.WorkingSet > 64_000_000)
    {
        Console.WriteLine("  FAIL: memory grew over the run");
        allGood = false;
    }
}
return allGood ? 0 : 1;

internal static class BenchMemory
{
    public static (long Managed, long WorkingSet) Now()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
    }
}

/// <summary>A UDP socket whose thread reads and throws away: the cost of the fuzzer and the kernel without our server.</summary>
internal static class BareReceiver
{
    public static double CpuPerMillion(IPAddress fuzzer, Random random, long datagrams)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 4 << 20 };
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var endpoint = (IPEndPoint)socket.LocalEndPoint!;
        long received = 0;
        var reader = new Thread(() =>
        {
            var buffer = new byte[65536];
            try
            {
                while (true)
                {
                    socket.Receive(buffer);
                    Interlocked.Increment(ref received);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }) { IsBackground = true };
        reader.Start();
        var corpus = new FuzzCorpus();
        using (var key = StaticKey.Generate())
            corpus.AddSynthetic(key, [1], 7);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var tally = new FuzzTally();
        FuzzTraffic.SendUdp(endpoint, fuzzer, corpus.Seeds, random, datagrams, TimeSpan.FromMinutes(5), 0, tally);
        Thread.Sleep(200);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        socket.Dispose();
        reader.Join(TimeSpan.FromSeconds(5));
        return cpu.TotalSeconds / Math.Max(1, Interlocked.Read(ref received)) * 1e6;
    }
}

/// <summary>A throw-away CA and server certificate: the server needs one to start, the fuzzer never gets as far as TLS.</summary>
internal sealed class BenchCertificates : IDisposable
{
    private BenchCertificates(X509Certificate2 ca, X509Certificate2 server)
    {
        Ca = ca;
        Server = server;
        ServerContext = SslStreamCertificateContext.Create(server, additionalCertificates: null, offline: true);
    }

    public X509Certificate2 Ca { get; }
    public X509Certificate2 Server { get; }
    public SslStreamCertificateContext ServerContext { get; }

    public static BenchCertificates Create()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Fuzz Bench CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var ca = caRequest.CreateSelfSigned(now.AddHours(-1), now.AddYears(1));
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=fuzz.appliance.test", serverKey, HashAlgorithmName.SHA256);
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var issued = serverRequest.Create(ca, now.AddHours(-1), now.AddMonths(1), [1, 2, 3, 4]);
        return new BenchCertificates(ca, issued.CopyWithPrivateKey(serverKey));
    }

    public void Dispose()
    {
        ServerContext.TargetCertificate.Dispose();
        Server.Dispose();
        Ca.Dispose();
    }
}

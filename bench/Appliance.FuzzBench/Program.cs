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
//        fuzz-bench half-open [--attempts N]   (memory of the server holding key holders' handshakes that never reach TLS)
if (args.Length > 0 && args[0] == "half-open")
{
    int attempts = 1_024;
    if (args.Length == 3 && args[1] == "--attempts" && int.TryParse(args[2], NumberStyles.None, CultureInfo.InvariantCulture, out int a) && a > 0)
        attempts = a;
    else if (args.Length != 1)
    {
        Console.Error.WriteLine("usage: fuzz-bench half-open [--attempts N (default 1024)]");
        return 2;
    }
    using var halfOpenPki = BenchCertificates.Create();
    bool held = await HalfOpen.RunAsync(halfOpenPki, attempts, maxHandshakes: null);
    held &= await HalfOpen.RunAsync(halfOpenPki, attempts, maxHandshakes: attempts);
    return held ? 0 : 1;
}
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
var bare = BareReceiver.CpuPerMillion(fuzzer, random, Math.Min(total / 10, 1_000_000));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"baseline: fuzzer + kernel + a bare receive loop = {bare.Process:0.00} CPU s per million datagrams, of which the receiving thread {bare.Receiver:0.00}"));

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
    // The fuzzer sends from this thread: its own CPU (mutation, sendto) is taken out of the process's to leave the server's.
    var senderBefore = ThreadCpu.Current();
    FuzzTraffic.SendUdp(udp, fuzzer, corpus.Seeds, random, total / 2, TimeSpan.FromHours(1), 0, tally);
    var sender = ThreadCpu.Current() - senderBefore;
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
    double serverPerMillion = sender < TimeSpan.Zero ? double.NaN : (cpu - sender).TotalSeconds / Math.Max(1, reached) * 1e6;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  CPU: {perMillion:0.00} s per million (process: fuzzer + server), of which the fuzzer's sending thread {sender.TotalSeconds / Math.Max(1, reached) * 1e6:0.00}; server (receive + drop) {serverPerMillion:0.00} s per million garbage datagrams ({serverPerMillion - bare.Receiver:0.00} above a bare receive loop)"));
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
    /// <summary>(process CPU, receiving thread's CPU) in seconds per million datagrams received.</summary>
    public static (double Process, double Receiver) CpuPerMillion(IPAddress fuzzer, Random random, long datagrams)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 4 << 20 };
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var endpoint = (IPEndPoint)socket.LocalEndPoint!;
        long received = 0;
        var readerCpu = TimeSpan.Zero;
        var reader = new Thread(() =>
        {
            var buffer = new byte[65536];
            var start = ThreadCpu.Current();
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
            readerCpu = ThreadCpu.Current() - start;
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
        long got = Math.Max(1, Interlocked.Read(ref received));
        return (cpu.TotalSeconds / got * 1e6, readerCpu.TotalSeconds / got * 1e6);
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

/// <summary>Memory of the server while key holders stuck after the cookie (<see cref="HalfOpenAttempts"/>) hold handshakes,
/// from 32 loopback sources (under the per-source limits).</summary>
internal static class HalfOpen
{
    private const int Sources = 32;

    public static async Task<bool> RunAsync(BenchCertificates pki, int attempts, int? maxHandshakes)
    {
        using var key = StaticKey.Generate();
        using var sw = new EthernetSwitch(new SwitchOptions { Policy = SwitchPolicy.AllLayer2 });
        var options = new TunnelServerOptions
        {
            Listen = [new ListenEndpoint(TunnelProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 0))],
            Tls = new TlsControlOptions { ServerCertificate = pki.ServerContext },
            ClientValidator = new ClientCertificateValidator(pki.Ca),
            ControlWrapping = new ControlWrapping(ControlWrapMode.TlsCrypt, key),
        };
        if (maxHandshakes is int max)
            options = options with { MaxHandshakes = max };
        await using var server = new TunnelServer(options, sw);
        server.Start();
        var endpoint = server.BoundEndpoints[0].EndPoint;
        using var attempt = new HalfOpenAttempts();
        var start = BenchMemory.Now();
        var before = server.Unattributed.Snapshot();
        await attempt.RunAsync(endpoint, key, attempts, Sources);
        int answered = attempt.Answered, acked = attempt.Acknowledged;
        var sendTime = attempt.Took;
        await Task.Delay(500);
        int inProgress = server.HandshakesInProgress;
        int sessions = server.Sessions.Count;
        var end = BenchMemory.Now();
        var drops = server.Unattributed.Snapshot().Since(before);
        string limit = maxHandshakes is null ? $"MaxHandshakes default ({options.MaxHandshakes})" : $"MaxHandshakes {maxHandshakes}";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"half-open, {limit}: {attempts:N0} attempts from {Sources} sources in {sendTime.TotalSeconds:0.0} s, {answered:N0} answered, {acked:N0} cookies acknowledged; " +
            $"server holds {inProgress:N0} handshakes in progress, {sessions:N0} sessions, {server.Sessions.Count(x => x.IsEstablished)} established"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  memory (whole process, server + driver): managed {start.Managed / 1e6:0.0} -> {end.Managed / 1e6:0.0} MB (+{(end.Managed - start.Managed) / 1e3 / Math.Max(1, inProgress):0.0} KB per handshake held), " +
            $"working set {start.WorkingSet / 1e6:0.0} -> {end.WorkingSet / 1e6:0.0} MB (+{(end.WorkingSet - start.WorkingSet) / 1e3 / Math.Max(1, inProgress):0.0} KB per handshake held)"));
        Console.WriteLine("  drops: " + string.Join(", ", Enum.GetValues<DropReason>().Where(r => drops.Drops(r) > 0).Select(r => string.Create(CultureInfo.InvariantCulture, $"{r} {drops.Drops(r):N0}"))));
        int bound = options.MaxHandshakes;
        if (inProgress > bound || sessions > bound)
        {
            Console.WriteLine($"  FAIL: {inProgress} handshakes / {sessions} sessions held, bound {bound}");
            return false;
        }
        return true;
    }
}

/// <summary>CPU time of the calling OS thread (Linux: utime + stime of /proc/thread-self/stat, in clock ticks of 10 ms);
/// a negative span where that file does not exist.</summary>
internal static class ThreadCpu
{
    public static TimeSpan Current()
    {
        const string path = "/proc/thread-self/stat";
        if (!File.Exists(path))
            return TimeSpan.FromTicks(-1);
        string stat = File.ReadAllText(path);
        // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }
}

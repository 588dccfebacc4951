using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Sessions;
using Appliance.Tunnel.Switching;
using Appliance.Tunnel.Tests.ControlChannel;
using Appliance.Tunnel.Tests.Support;
using Xunit.Abstractions;
using static Appliance.Tunnel.Tests.Sessions.RealClientHarness;

namespace Appliance.Tunnel.Tests.Sessions;

/// <summary>A slice of the wire fuzzer (issue 11): mutated real captures and mutated packets wrapped with the server's own
/// key, over UDP and TCP, against a running server that has a live (silent) session. Nothing crashes, nothing verifies,
/// every datagram the server got is counted under a drop reason, and memory stays flat.</summary>
/// <remarks>Length: <c>TUNNEL_FUZZ_SECONDS</c> (default 60). The nightly-sized run is <c>bench/Appliance.FuzzBench</c>.</remarks>
[Collection(PkiCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class TunnelServerFuzzTests(TestPki pki, ITestOutputHelper output)
{
    private static readonly IPAddress Fuzzer = IPAddress.Parse("127.0.0.5");

    [OpenVpnFact]
    public async Task Mutated_captures_over_udp_and_tcp_are_all_counted_as_drops_and_leave_memory_flat()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("TUNNEL_FUZZ_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out int s) && s > 0 ? s : 60;
        var listen = new ListenEndpoint[]
        {
            new(TunnelProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 0)),
            new(TunnelProtocol.Tcp, new IPEndPoint(IPAddress.Loopback, 0)),
        };
        // Log at Information only: the fuzzer must not be measured through the test output's buffer.
        await using var lab = RealClientHarness.Start(pki, output, ping: TimeSpan.FromSeconds(1), listen: listen, quiet: true);
        var udp = lab.Server.BoundEndpoints.Single(e => e.Protocol == TunnelProtocol.Udp).EndPoint;
        var tcp = lab.Server.BoundEndpoints.Single(e => e.Protocol == TunnelProtocol.Tcp).EndPoint;

        // A real exchange to mutate: reset, TLS, key method 2, push, pings, both directions.
        using var relay = new InterceptingUdpRelay(udp);
        var client = lab.StartClient(pki.Alice, port: relay.Port, extra: "ping 1");
        await client.WaitForAsync("Initialization Sequence Completed", TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(3));
        // The cable is cut and the client gone: its session stays established (and silent) for the whole run, so DATA_V2
        // with its peer-id reaches its port.
        relay.Forwarding = false;
        await client.StopAsync();
        var session = Assert.Single(lab.Server.Sessions);
        var port = session.Port!;
        var recorded = relay.Recorded;
        var corpus = new FuzzCorpus();
        corpus.AddRecorded(recorded.Select(d => d.Bytes));
        corpus.AddSynthetic(lab.TlsCrypt, [session.PeerId, session.PeerId ^ 1, 0xFFFFFF, 0]);
        output.WriteLine($"corpus: {corpus.Recorded} recorded datagrams ({recorded.Count(d => d.FromClient)} from the client), {corpus.Seeds.Count - corpus.Recorded} synthetic");

        var random = new Random(20261205);
        var warmUp = new FuzzTally();
        FuzzTraffic.SendUdp(udp, Fuzzer, corpus.Seeds, random, 20_000, TimeSpan.FromSeconds(5), perSecond: 20_000, warmUp);
        await Task.Delay(500);

        var memoryBefore = Memory();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        long kernelBefore = UdpSocketDrops.Read(udp);
        var unattributedBefore = lab.Server.Unattributed.Snapshot();
        var portBefore = port.Counters.In.Snapshot();

        var tally = new FuzzTally();
        var clock = Stopwatch.StartNew();
        var udpTime = TimeSpan.FromSeconds(seconds * 0.85);
        await Task.Factory.StartNew(() => FuzzTraffic.SendUdp(udp, Fuzzer, corpus.Seeds, random, long.MaxValue, udpTime, perSecond: 0, tally),
            TaskCreationOptions.LongRunning);
        var udpElapsed = clock.Elapsed;

        long kernelDrops = UdpSocketDrops.Read(udp) - kernelBefore;
        Assert.True(kernelBefore >= 0, $"the server's UDP socket {udp} is not in /proc/net/udp: kernel drops cannot be told apart");
        long reached = tally.Datagrams - kernelDrops;
        long Counted() => lab.Server.Unattributed.Snapshot().Since(unattributedBefore).DroppedFrames + port.Counters.In.Snapshot().Since(portBefore).DroppedFrames;
        await TrueWithinAsync(() => Counted() >= reached, TimeSpan.FromSeconds(10));
        long udpCounted = Counted();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;

        var tcpUnattributedBefore = lab.Server.Unattributed.Snapshot();
        await FuzzTraffic.SendTcpAsync(tcp, Fuzzer, corpus.Seeds, random, maxConnections: 3_000, TimeSpan.FromSeconds(seconds * 0.15), tally);
        long TcpCounted() => lab.Server.Unattributed.Snapshot().Since(tcpUnattributedBefore).DroppedFrames;
        await TrueWithinAsync(() => TcpCounted() >= tally.TcpCompleteFirstFrames, TimeSpan.FromSeconds(10));
        long tcpCounted = TcpCounted();

        await Task.Delay(TimeSpan.FromSeconds(1));
        var memoryAfter = Memory();

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"UDP: {tally.Datagrams:N0} datagrams in {udpElapsed.TotalSeconds:0.0} s = {tally.Datagrams / udpElapsed.TotalSeconds:N0}/s sent, {reached / udpElapsed.TotalSeconds:N0}/s reached the server; kernel dropped {kernelDrops:N0}; the server counted {udpCounted:N0} drops; {tally.EmptyDatagrams} empty datagrams");
        report.AppendLine(CultureInfo.InvariantCulture, $"CPU (this process: fuzzer + server): {cpu.TotalSeconds:0.00} s = {cpu.TotalSeconds / Math.Max(1, reached) * 1e6:0.00} s per million datagrams reaching the server");
        report.AppendLine(CultureInfo.InvariantCulture, $"TCP: {tally.TcpConnections} connections, {tally.TcpCompleteFirstFrames} with a complete first frame, {tally.TcpCompleteFrames} complete frames; the server counted {tcpCounted} drops");
        report.AppendLine(CultureInfo.InvariantCulture, $"memory: managed {memoryBefore.Managed / 1e6:0.0} -> {memoryAfter.Managed / 1e6:0.0} MB, working set {memoryBefore.WorkingSet / 1e6:0.0} -> {memoryAfter.WorkingSet / 1e6:0.0} MB");
        report.AppendLine("mutations: " + string.Join(", ", Enum.GetValues<Mutation>().Select(m => $"{m} {tally.ByMutation[(int)m]:N0}")));
        var drops = lab.Server.Unattributed.Snapshot().Since(unattributedBefore);
        var portDrops = port.Counters.In.Snapshot().Since(portBefore);
        report.AppendLine("unattributed drops: " + string.Join(", ", Enum.GetValues<DropReason>().Where(r => drops.Drops(r) > 0).Select(r => $"{r} {drops.Drops(r):N0}")));
        report.AppendLine("session port drops: " + string.Join(", ", Enum.GetValues<DropReason>().Where(r => portDrops.Drops(r) > 0).Select(r => $"{r} {portDrops.Drops(r):N0}")));
        output.WriteLine(report.ToString());

        var problems = new List<string>();
        if (udpCounted != reached)
            problems.Add($"of {reached:N0} UDP datagrams that reached the server ({tally.Datagrams:N0} sent, {kernelDrops:N0} dropped by the kernel), {udpCounted:N0} were counted under a drop reason" +
                (tally.EmptyDatagrams > 0 ? $" ({tally.EmptyDatagrams} of those sent were empty)" : ""));
        if (tcpCounted < tally.TcpCompleteFirstFrames || tcpCounted > tally.TcpCompleteFrames)
            problems.Add($"over TCP, {tally.TcpCompleteFirstFrames} connections sent a complete first frame ({tally.TcpCompleteFrames} complete frames in all) and the server counted {tcpCounted} drops");
        var others = lab.Server.Sessions.Where(x => x != session).ToList();
        if (others.Count > 0)
            problems.Add($"{others.Count} sessions were opened by mutated packets (never the seeds themselves): {string.Join(", ", others.Take(3))}");
        // Flat: the server keeps no per-datagram state for garbage and its counters are fixed-size, so after a few million
        // datagrams the managed heap may only differ by GC noise and buffers of the runtime (well under 16 MB), and the
        // working set by the heap's segments and thread stacks (64 MB). A leak of 8 bytes per datagram would exceed both.
        const long ManagedSlack = 16_000_000, WorkingSetSlack = 64_000_000;
        if (memoryAfter.Managed - memoryBefore.Managed > ManagedSlack)
            problems.Add($"the managed heap grew by {(memoryAfter.Managed - memoryBefore.Managed) / 1e6:0.0} MB over the run (bound {ManagedSlack / 1e6:0} MB)");
        if (memoryAfter.WorkingSet - memoryBefore.WorkingSet > WorkingSetSlack)
            problems.Add($"the working set grew by {(memoryAfter.WorkingSet - memoryBefore.WorkingSet) / 1e6:0.0} MB over the run (bound {WorkingSetSlack / 1e6:0} MB)");

        // Still serving: a new real client connects once the fuzzer stopped.
        var after = lab.StartClient(pki.Carol, port: udp.Port);
        if (!await TrueWithinAsync(() => after.Text.Contains("Initialization Sequence Completed", StringComparison.Ordinal), TimeSpan.FromSeconds(30)))
            problems.Add("after the fuzz run a new real client did not connect within 30 s");
        Assert.True(problems.Count == 0, string.Join("; ", problems));
    }

    private static (long Managed, long WorkingSet) Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
    }

    private static async Task<bool> TrueWithinAsync(Func<bool> condition, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!condition())
        {
            if (DateTime.UtcNow >= deadline)
                return false;
            await Task.Delay(50);
        }
        return true;
    }
}

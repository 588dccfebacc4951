using System.Diagnostics;
using System.Globalization;
using Appliance.EndToEnd.Tests.Support;
using Appliance.Tunnel.Diagnostics;
using Appliance.Tunnel.Sessions;
using Xunit.Abstractions;

namespace Appliance.EndToEnd.Tests;

/// <summary>
/// Issue 12's fault matrix (cases 1-9) with real pppd and pppoe-server in UML guests, the stock 2.6 client and our server; the fault
/// is made by nftables on the client's side (its LAN bridge, between the subscriber's TAP and the OpenVPN client's, or its underlay)
/// or on the uplink's (the ISP guest's TAP on the uplink bridge). Each case is its own client site, certificate and session on one
/// shared server and ISP (<see cref="FaultMatrixLab"/>). For each: the first error finding names the fault within 60 s of the
/// subscriber's start, no other error appears at any time (the view is diagnosed every half second), and once named it stays; for a
/// size fault the size probe then measures the threshold exactly within 10 s.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class FrameSizeFaultTests : IClassFixture<FaultMatrixLab>, IDisposable
{
    private static readonly TimeSpan NamedWithin = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StaysFor = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ProbeWithin = TimeSpan.FromSeconds(10);

    private readonly FaultMatrixLab _lab;
    private readonly ITestOutputHelper _output;

    public FrameSizeFaultTests(FaultMatrixLab lab, ITestOutputHelper output)
    {
        _lab = lab;
        _output = output;
        lab.Output = output.WriteLine;
    }

    public void Dispose() => _lab.Output = null;

    [Fact]
    public Task Case1_session_frames_under_34_bytes_from_the_client_lost_discovery_passing() => RunAsync(new FaultCase
    {
        // The field case; pppd's 32-byte PADI (empty Service-Name, Host-Uniq) still passes.
        Name = "1: session frames under 34 bytes from the client",
        Code = PppoeFindingCodes.ShortFramesLostFromClient,
        Threshold = 34,
        OnClientSide = (c, tap) => DropShortFrames(c, tap, fromClient: true, discoveryToo: false, below: 34),
        Probe = LossDirection.FromClient,
    });

    [Fact]
    public Task Case2_every_frame_under_34_bytes_from_the_client_lost() => RunAsync(new FaultCase
    {
        // Discovery dropped too; pppd asks for the service by name so its PADI is 35 bytes (a 32-byte PADI would never reach the
        // appliance and there would be no session to diagnose).
        Name = "2: every PPPoE frame under 34 bytes from the client",
        Code = PppoeFindingCodes.ShortFramesLostFromClient,
        Threshold = 34,
        PppdOptions = ["pppoe-service", "e2e"],
        OnClientSide = (c, tap) => DropShortFrames(c, tap, fromClient: true, discoveryToo: true, below: 34),
        Probe = LossDirection.FromClient,
    });

    [Fact]
    public Task Case3_every_frame_under_60_bytes_from_the_client_lost() => RunAsync(new FaultCase
    {
        // A driver refusing Ethernet runts. pppd asks for a 30-byte service name so its PADI is 62 bytes; its LCP Configure-Request
        // (36) and Configure-Ack (40) never arrive, so LCP never opens and the probe cannot run: passive evidence only.
        Name = "3: every PPPoE frame under 60 bytes from the client",
        Code = PppoeFindingCodes.ShortFramesLostFromClient,
        Threshold = 60,
        PppdOptions = ["pppoe-service", "e2e-a-service-name-of-30-bytes"],
        OnClientSide = (c, tap) => DropShortFrames(c, tap, fromClient: true, discoveryToo: true, below: 60),
        ProbeRefused = "LCP never opened",
    });

    [Fact]
    public Task Case4_frames_under_34_bytes_toward_the_client_lost() => RunAsync(new FaultCase
    {
        Name = "4: frames under 34 bytes toward the client",
        Code = PppoeFindingCodes.ShortFramesLostTowardClient,
        Threshold = 34,
        OnClientSide = (c, tap) => DropShortFrames(c, tap, fromClient: false, discoveryToo: true, below: 34),
        Probe = LossDirection.TowardClient,
    });

    [Fact]
    public Task Case5_the_client_pppd_with_ipv4_off_is_ipv6_only_never_a_size_fault() => RunAsync(new FaultCase
    {
        Name = "5: the client's pppd with noip",
        Code = PppoeFindingCodes.IPv6Only,
        Severity = FindingSeverity.Warning,
        PppdOptions = ["noip"],
        FixContains = "Enable IPv4",
    });

    [Fact]
    public Task Case6_ip_fragments_dropped_on_the_client_path_is_large_frame_loss() => RunAsync(new FaultCase
    {
        // A 1514-byte frame is a ~1566-byte UDP datagram: fragmented on the 1500-byte underlay, and the fragments are dropped.
        Name = "6: IP fragments dropped on the client's path",
        Code = PppoeFindingCodes.LargeFramesLost,
        OnClientSide = (c, _) => DropFragments(c),
        FixContains = "TCP profile",
    });

    [Fact]
    public Task Case7_wrong_ppp_password() => RunAsync(new FaultCase
    {
        Name = "7: wrong PPP password",
        Code = PppoeFindingCodes.AuthenticationFailed,
        PppdOptions = ["password", "not-the-e2e-password"],
    });

    [Fact]
    public Task Case8_no_access_concentrator_on_the_uplink() => RunAsync(new FaultCase
    {
        Name = "8: no access concentrator on the uplink",
        Code = PppoeFindingCodes.NoAccessConcentrator,
        OnUplink = (server, isp) => DropFromIsp(server, isp, "ether", "type", "0x8863"),
    });

    [Fact]
    public Task Case9_the_isp_stops_answering_lcp_echoes() => RunAsync(new FaultCase
    {
        // The ISP's LCP Echo-Replies (PPPoE session, PPP protocol 0xc021, code 10) dropped on the uplink. The client echoes every 5 s.
        Name = "9: the ISP stops answering LCP echoes",
        Code = PppoeFindingCodes.LcpEchoUnansweredByIsp,
        ClientEcho = 5,
        OnUplink = (server, isp) => DropFromIsp(server, isp, "ether", "type", "0x8864", "@nh,48,16", "0xc021", "@nh,64,8", "10"),
    });

    /// <summary>One row of the matrix: the fault, where it is made, and what the diagnosis (and the probe) must say.</summary>
    public sealed record FaultCase
    {
        public required string Name { get; init; }
        public required string Code { get; init; }
        public FindingSeverity Severity { get; init; } = FindingSeverity.Error;
        /// <summary>The size the finding must name, for a size fault.</summary>
        public int? Threshold { get; init; }
        public string[] PppdOptions { get; init; } = [];
        /// <summary>The subscriber's lcp-echo-interval (the ISP's is 10 s: a fault eating 30-byte Echo-Replies must not end the link in 5 s).</summary>
        public int ClientEcho { get; init; } = 10;
        /// <summary>Made in the client site's namespace once the subscriber's TAP exists (its name is the second argument).</summary>
        public Action<NetworkNamespace, string>? OnClientSide { get; init; }
        /// <summary>Made in the server's namespace before the subscriber starts, undone after the case (the ISP is shared).</summary>
        public Action<NetworkNamespace, PppoeGuest>? OnUplink { get; init; }
        /// <summary>For a size fault: the probe must measure <see cref="Threshold"/> and this direction.</summary>
        public LossDirection? Probe { get; init; }
        /// <summary>The probe must be refused, for a reason containing this.</summary>
        public string? ProbeRefused { get; init; }
        public string? FixContains { get; init; }
        public override string ToString() => Name;
    }

    private async Task RunAsync(FaultCase fault)
    {
        var total = Stopwatch.StartNew();
        var site = _lab.Lab.AddClientSite();
        var certificate = _lab.Pki.IssueClient($"e2e-matrix-{site.Index}");
        if (fault.OnUplink is { } uplinkFault)
            uplinkFault(_lab.Lab.Server, _lab.Isp);
        try
        {
            using var client = OpenVpnClient.Connect(site.Namespace, _lab.Server.RenderProfile(certificate), ClientSite.LanBridge);
            var session = EstablishedSession(_lab.Server, certificate.CommonName);
            var subscriber = _lab.Pppoe.StartClient(site.Namespace, ClientSite.LanBridge, fault.ClientEcho, fault.PppdOptions);
            try
            {
                fault.OnClientSide?.Invoke(site.Namespace, subscriber.TapName);
                var clock = Stopwatch.StartNew();
                var namedAt = await WatchAsync(session, fault, clock);

                var named = PppoeDiagnosis.Diagnose(session.Pppoe!.Snapshot()).First(f => f.Code == fault.Code);
                _output.WriteLine($"{fault.Name}: {named.Code} ({named.Severity}) after {namedAt.TotalSeconds:0.0} s: {named.Explanation} Fix: {named.Fix}");
                if (fault.Threshold is { } threshold)
                    Assert.Equal(threshold, named.SizeThreshold);
                if (fault.FixContains is { } fix)
                    Assert.Contains(fix, named.Fix, StringComparison.Ordinal);
                await ProbeAsync(session, fault);
            }
            finally
            {
                subscriber.Stop();
            }
        }
        finally
        {
            if (fault.OnUplink is not null)
                _lab.Lab.Server.Exec("nft", "delete", "table", "bridge", UplinkTable);
            _output.WriteLine($"{fault.Name}: case took {total.Elapsed.TotalSeconds:0.0} s");
        }
    }

    private async Task ProbeAsync(TunnelSession session, FaultCase fault)
    {
        var view = session.Pppoe!.Snapshot();
        var target = FrameSizeProbeTarget.For(view, out string refusal);
        if (fault.ProbeRefused is { } reason)
        {
            Assert.Null(target);
            Assert.Contains(reason, refusal, StringComparison.Ordinal);
            _output.WriteLine($"{fault.Name}: probe refused: {refusal}");
            return;
        }
        if (fault.Probe is not { } expected)
            return;
        Assert.True(target is not null, $"{fault.Name}: no probe: {refusal}");
        var clock = Stopwatch.StartNew();
        var result = await FrameSizeProbe.RunAsync(_lab.Server.Switch, session.Port!, target);
        var direction = result.Direction(session.Pppoe!.Snapshot());
        _output.WriteLine($"{fault.Name}: probe in {clock.Elapsed.TotalSeconds:0.00} s, {result.Requests} requests: {result.Describe(direction)}");
        Assert.True(clock.Elapsed < ProbeWithin, $"probe took {clock.Elapsed}");
        Assert.Equal(fault.Threshold, result.LostBelow);
        Assert.Equal(fault.Threshold, result.SmallestRoundTrip);
        Assert.Null(result.LostAbove);
        Assert.Equal(expected, direction);
    }

    /// <summary>
    /// Diagnoses every half second until the case's finding has been shown for <see cref="StaysFor"/>: it must appear within
    /// <see cref="NamedWithin"/>, no other error may ever appear, nor a size finding when the case is none, and once shown it must
    /// stay. Returns when it first appeared.
    /// </summary>
    private static async Task<TimeSpan> WatchAsync(TunnelSession session, FaultCase fault, Stopwatch clock)
    {
        bool sizeCase = fault.Threshold is not null;
        TimeSpan? namedAt = null;
        while (clock.Elapsed < NamedWithin + StaysFor && (namedAt is null || clock.Elapsed < namedAt + StaysFor))
        {
            var findings = PppoeDiagnosis.Diagnose(session.Pppoe!.Snapshot(), session.Port!.Counters.Snapshot());
            foreach (var finding in findings)
            {
                bool wrongError = finding.Severity == FindingSeverity.Error && finding.Code != fault.Code;
                bool wrongSize = !sizeCase && finding.Code is PppoeFindingCodes.ShortFramesLostFromClient or PppoeFindingCodes.ShortFramesLostTowardClient;
                Assert.False(wrongError || wrongSize, $"{fault.Name}: wrong finding at {clock.Elapsed.TotalSeconds:0.0} s: {finding.Code}: {finding.Explanation}");
                if (finding.Code == fault.Code && finding.Severity >= fault.Severity)
                    namedAt ??= clock.Elapsed;
            }
            Assert.True(namedAt is null || findings.Any(f => f.Code == fault.Code), $"{fault.Name}: {fault.Code} disappeared at {clock.Elapsed.TotalSeconds:0.0} s; view: {session.Pppoe!.Snapshot()}");
            await Task.Delay(500);
        }
        Assert.True(namedAt < NamedWithin, $"{fault.Name}: {fault.Code} not named within {NamedWithin.TotalSeconds} s; view: {session.Pppoe!.Snapshot()}");
        return namedAt!.Value;
    }

    /// <summary>
    /// nftables on the client's LAN bridge: PPPoE session frames (and discovery frames when <paramref name="discoveryToo"/>) shorter
    /// than <paramref name="below"/> bytes, read from the PPPoE length field (frame = 14 + 6 + length), leaving (or reaching) the
    /// subscriber's TAP are dropped. The frames on this bridge are unpadded, as a TAP carries them.
    /// </summary>
    private static void DropShortFrames(NetworkNamespace ns, string subscriberTap, bool fromClient, bool discoveryToo, int below)
    {
        ns.Exec("nft", "add", "table", "bridge", "e2efault");
        ns.Exec("nft", "add", "chain", "bridge", "e2efault", "forward", "{", "type", "filter", "hook", "forward", "priority", "0", ";", "policy", "accept", ";", "}");
        string[] etherTypes = discoveryToo ? ["{", "0x8863,", "0x8864", "}"] : ["0x8864"];
        ns.Exec("nft", ["add", "rule", "bridge", "e2efault", "forward", fromClient ? "iifname" : "oifname", subscriberTap,
            "ether", "type", .. etherTypes, "@nh,32,16", "lt", (below - 20).ToString(CultureInfo.InvariantCulture), "counter", "drop"]);
    }

    /// <summary>
    /// A fragment-dropping network on the client's underlay: every IPv4 fragment reaching the client site is dropped before reassembly
    /// (priority -500, ahead of conntrack's defragmentation). The appliance's datagrams above the underlay's MTU are fragmented by its
    /// kernel, so frames of about 1450 bytes and more never reach the client.
    /// </summary>
    private static void DropFragments(NetworkNamespace ns)
    {
        ns.Exec("nft", "add", "table", "ip", "e2efrag");
        ns.Exec("nft", "add", "chain", "ip", "e2efrag", "pre", "{", "type", "filter", "hook", "prerouting", "priority", "-500", ";", "policy", "accept", ";", "}");
        ns.Exec("nft", "add", "rule", "ip", "e2efrag", "pre", "ip", "frag-off", "&", "0x3fff", "!=", "0", "counter", "drop");
    }

    private const string UplinkTable = "e2euplink";

    /// <summary>nftables on the uplink bridge: frames from the ISP guest's TAP matching <paramref name="match"/> are dropped.</summary>
    private static void DropFromIsp(NetworkNamespace server, PppoeGuest isp, params string[] match)
    {
        server.Exec("nft", "add", "table", "bridge", UplinkTable);
        server.Exec("nft", "add", "chain", "bridge", UplinkTable, "forward", "{", "type", "filter", "hook", "forward", "priority", "0", ";", "policy", "accept", ";", "}");
        server.Exec("nft", ["add", "rule", "bridge", UplinkTable, "forward", "iifname", isp.TapName, .. match, "counter", "drop"]);
    }

    private static TunnelSession EstablishedSession(ApplianceServer server, string commonName)
    {
        TunnelSession? found = null;
        Assert.True(Poll.Until(() => (found = server.Server.Sessions.FirstOrDefault(s => s.CommonName == commonName && s.IsEstablished && !s.IsClosing)) is not null,
            TimeSpan.FromSeconds(5)), $"no established session for '{commonName}'");
        return found!;
    }
}

/// <summary>What the fault matrix's cases share: the lab's namespaces, the PKI, our server and the ISP (pppoe-server), booted once.</summary>
public sealed class FaultMatrixLab : IAsyncLifetime
{
    public VpnLab Lab { get; private set; } = null!;
    public TestPki Pki { get; private set; } = null!;
    public PppoeLab Pppoe { get; private set; } = null!;
    public ApplianceServer Server { get; private set; } = null!;
    public PppoeGuest Isp { get; private set; } = null!;

    /// <summary>The running test's output (server log lines); null between tests.</summary>
    public Action<string>? Output { get; set; }

    public Task InitializeAsync()
    {
        Lab = VpnLab.Create();
        Pki = TestPki.Create();
        Pppoe = new PppoeLab();
        Server = ApplianceServer.Start(Lab, Pki, new ApplianceServerOptions { Log = Write });
        // Echoes every 10 s: with a fault eating 30-byte Echo-Replies, pppd's default 1 s would end the link within 5 s.
        Isp = Pppoe.StartServer(Lab.Server, VpnLab.UplinkBridge, echoInterval: 10);
        Assert.True(Isp.WaitForConsole("E2E ready", TimeSpan.FromSeconds(60)), $"the ISP guest did not start: {Isp.Console}");
        return Task.CompletedTask;
    }

    private void Write(string line)
    {
        try
        {
            Output?.Invoke(line);
        }
        catch (InvalidOperationException)
        {
            // The test that owned the output has ended.
        }
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
            await Server.DisposeAsync();
        Pppoe?.Dispose();
        Pki?.Dispose();
        Lab?.Dispose();
    }
}

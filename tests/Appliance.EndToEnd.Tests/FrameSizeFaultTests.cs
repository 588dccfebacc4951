using System.Diagnostics;
using System.Globalization;
using Appliance.EndToEnd.Tests.Support;
using Appliance.Tunnel.Diagnostics;
using Appliance.Tunnel.Sessions;
using Xunit.Abstractions;

namespace Appliance.EndToEnd.Tests;

/// <summary>
/// Issue 12's fault matrix with real pppd and pppoe-server in UML guests, the stock 2.6 client and our server; the fault is
/// made by nftables on the client's LAN bridge (between the subscriber's TAP and the OpenVPN client's). The diagnosis must
/// name the fault as its first error within 60 s, never show another error, and not flap; for a size fault the size probe
/// must then measure the threshold exactly within 10 s.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class FrameSizeFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan NamedWithin = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StaysFor = TimeSpan.FromSeconds(10);

    /// <summary>A fault of the matrix: which PPPoE frames the client's bridge drops, and what pppd is told.</summary>
    public sealed record SizeFault(string Name, bool FromClient, bool DiscoveryToo, int Below, string[] PppdOptions, string Code)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<SizeFault> SizeFaults => new()
    {
        // 1: the field case; pppd's 32-byte PADI (empty Service-Name, Host-Uniq) still passes.
        new SizeFault("1: session frames under 34 bytes from the client", true, false, 34, [], PppoeFindingCodes.ShortFramesLostFromClient),
        // 2: discovery dropped too; pppd asks for the service by name so its PADI is 35 bytes (a 32-byte PADI would never
        // reach the appliance and there would be no session to diagnose).
        new SizeFault("2: every PPPoE frame under 34 bytes from the client", true, true, 34, ["pppoe-service", "e2e"], PppoeFindingCodes.ShortFramesLostFromClient),
        // 4: the other way.
        new SizeFault("4: frames under 34 bytes toward the client", false, true, 34, [], PppoeFindingCodes.ShortFramesLostTowardClient),
    };

    [Theory]
    [MemberData(nameof(SizeFaults))]
    public async Task A_size_fault_is_named_with_its_direction_and_the_probe_measures_its_threshold(SizeFault fault)
    {
        using var lab = VpnLab.Create();
        var site = lab.AddClientSite();
        using var pki = TestPki.Create();
        using var pppoe = new PppoeLab();
        await using var server = ApplianceServer.Start(lab, pki, new ApplianceServerOptions { Log = output.WriteLine });
        // Echoes every 10 s: with a fault eating 30-byte Echo-Replies, pppd's default 1 s would end the link within 5 s.
        pppoe.StartServer(lab.Server, VpnLab.UplinkBridge, echoInterval: 10);
        using var client = OpenVpnClient.Connect(site.Namespace, server.RenderProfile(pki.Client), ClientSite.LanBridge);
        var session = EstablishedSession(server, pki.Client.CommonName);
        var subscriber = pppoe.StartClient(site.Namespace, ClientSite.LanBridge, echoInterval: 10, fault.PppdOptions);
        DropShortFrames(site.Namespace, subscriber.TapName, fault.FromClient, fault.DiscoveryToo, fault.Below);
        var clock = Stopwatch.StartNew();

        var namedAt = await WatchAsync(session, fault.Name, fault.Code, FindingSeverity.Error, clock);

        var named = PppoeDiagnosis.Diagnose(session.Pppoe!.Snapshot()).First(f => f.Code == fault.Code);
        Assert.Equal(fault.Below, named.SizeThreshold);
        output.WriteLine($"{fault.Name}: {fault.Code} after {namedAt.TotalSeconds:0.0} s: {named.Explanation}");

        var view = session.Pppoe!.Snapshot();
        Assert.True(view.Lcp.IsOpened, $"{fault.Name}: LCP not Opened for the probe: {view.Lcp}");
        var target = new FrameSizeProbeTarget(view.Discovery.ClientMac!.Value, view.Discovery.AccessConcentratorMac!.Value, view.Discovery.SessionId!.Value, view.IspMagicNumber!.Value);
        var probeClock = Stopwatch.StartNew();
        var result = await FrameSizeProbe.RunAsync(server.Switch, session.Port!, target);
        var direction = result.Direction(session.Pppoe!.Snapshot());
        output.WriteLine($"{fault.Name}: probe in {probeClock.Elapsed.TotalSeconds:0.00} s, {result.Requests} requests: {result.Describe(direction)}");

        Assert.True(probeClock.Elapsed < TimeSpan.FromSeconds(10), $"probe took {probeClock.Elapsed}");
        Assert.Equal(fault.Below, result.LostBelow);
        Assert.Equal(fault.Below, result.SmallestRoundTrip);
        Assert.Null(result.LostAbove);
        Assert.Equal(fault.FromClient ? LossDirection.FromClient : LossDirection.TowardClient, direction);
    }

    [Fact]
    public async Task A_client_pppd_with_ipv4_off_is_named_ipv6_only_and_never_a_size_fault()
    {
        const string name = "5: the client's pppd with noip";
        using var lab = VpnLab.Create();
        var site = lab.AddClientSite();
        using var pki = TestPki.Create();
        using var pppoe = new PppoeLab();
        await using var server = ApplianceServer.Start(lab, pki, new ApplianceServerOptions { Log = output.WriteLine });
        pppoe.StartServer(lab.Server, VpnLab.UplinkBridge, echoInterval: 10);
        using var client = OpenVpnClient.Connect(site.Namespace, server.RenderProfile(pki.Client), ClientSite.LanBridge);
        var session = EstablishedSession(server, pki.Client.CommonName);
        pppoe.StartClient(site.Namespace, ClientSite.LanBridge, echoInterval: 10, ["noip"]);
        var clock = Stopwatch.StartNew();

        var namedAt = await WatchAsync(session, name, PppoeFindingCodes.IPv6Only, FindingSeverity.Warning, clock);

        var named = PppoeDiagnosis.Diagnose(session.Pppoe!.Snapshot()).First(f => f.Code == PppoeFindingCodes.IPv6Only);
        Assert.Contains("Enable IPv4", named.Fix, StringComparison.Ordinal);
        output.WriteLine($"{name}: {named.Code} after {namedAt.TotalSeconds:0.0} s: {named.Explanation}");
    }

    /// <summary>
    /// Diagnoses every half second until <paramref name="code"/> has been shown for <see cref="StaysFor"/>: it must appear within
    /// <see cref="NamedWithin"/>, be the first of its severity or worse, no other error may ever appear, nor a size finding
    /// when <paramref name="code"/> is none, and once shown it must stay. Returns when it first appeared.
    /// </summary>
    private static async Task<TimeSpan> WatchAsync(TunnelSession session, string fault, string code, FindingSeverity severity, Stopwatch clock)
    {
        bool sizeCode = code is PppoeFindingCodes.ShortFramesLostFromClient or PppoeFindingCodes.ShortFramesLostTowardClient;
        TimeSpan? namedAt = null;
        while (clock.Elapsed < NamedWithin + StaysFor && (namedAt is null || clock.Elapsed < namedAt + StaysFor))
        {
            var findings = PppoeDiagnosis.Diagnose(session.Pppoe!.Snapshot(), session.Port!.Counters.Snapshot());
            foreach (var finding in findings)
            {
                bool wrongError = finding.Severity == FindingSeverity.Error && finding.Code != code;
                bool wrongSize = !sizeCode && finding.Code is PppoeFindingCodes.ShortFramesLostFromClient or PppoeFindingCodes.ShortFramesLostTowardClient;
                Assert.False(wrongError || wrongSize, $"{fault}: wrong finding at {clock.Elapsed.TotalSeconds:0.0} s: {finding.Code}: {finding.Explanation}");
                if (finding.Code == code && finding.Severity >= severity)
                    namedAt ??= clock.Elapsed;
            }
            Assert.True(namedAt is null || findings.Any(f => f.Code == code), $"{fault}: {code} disappeared at {clock.Elapsed.TotalSeconds:0.0} s");
            await Task.Delay(500);
        }
        Assert.True(namedAt < NamedWithin, $"{fault}: {code} not named within {NamedWithin.TotalSeconds} s; view: {session.Pppoe!.Snapshot()}");
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

    private static TunnelSession EstablishedSession(ApplianceServer server, string commonName)
    {
        TunnelSession? found = null;
        Assert.True(Poll.Until(() => (found = server.Server.Sessions.FirstOrDefault(s => s.CommonName == commonName && s.IsEstablished && !s.IsClosing)) is not null,
            TimeSpan.FromSeconds(5)), $"no established session for '{commonName}'");
        return found!;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using Appliance.Agent.Api;
using Appliance.Agent.Lab;
using Appliance.Agent.Tests.Lab;
using Appliance.Agent.Tests.Support;
using Appliance.Contracts;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Appliance.Agent.Tests;

/// <summary>
/// The product's case across a restart: real pppd in a user-mode-linux guest behind the stock 2.6 client's tap dials
/// pppoe-server (another guest) on the agent's uplink and pings it once a second. Across SIGTERM of one agent and the
/// start of the next: at most 3 pings lost and no PPP redial. Across SIGKILL (nothing handed over) the outage is
/// measured and reported, with whether PPP survived.
/// </summary>
[Trait("Category", "EndToEnd")]
[SupportedOSPlatform("linux")]
public sealed partial class HandoverPppoeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_pppoe_session_pinging_once_a_second_survives_a_restart_and_the_outage_of_a_SIGKILL_is_measured()
    {
        if (!TestBridge.IsRoot || !OpenVpnClientProcess.IsInstalled || !File.Exists("/usr/bin/linux.uml") || !File.Exists("/usr/sbin/pppoe-server"))
            return;
        using var scratch = new TemporaryStateDirectory();
        using var uplink = new TestBridge();
        using var clientLan = new TestBridge();
        using var isp = LabNamespace.Create("br0");
        using var site = LabNamespace.Create("br0");
        string suffix = Guid.NewGuid().ToString("N")[..5];
        string ispVeth = "aahi" + suffix, siteVeth = "aahs" + suffix;
        var ispOptions = new LabPppoeServerOptions { Bridge = "br0", Directory = Path.Combine(scratch.Parent, "isp"), NetworkNamespace = isp.Name };
        using var server = new LabPppoeServer(ispOptions, TimeProvider.System, NullLogger<LabPppoeServer>.Instance);
        try
        {
            // The ISP's bridge behind the agent's uplink bridge; the client's tap's bridge in front of the subscriber's.
            Veth(ispVeth, uplink.Name, isp);
            Veth(siteVeth, clientLan.Name, site);
            await server.StartAsync(CancellationToken.None);
            int port = FreeUdpPort();
            var options = new AgentDaemonOptions
            {
                ConfigJson = $$"""
                    { "api": { "listen": "127.0.0.1:0" }, "tunnel": { "listen": ["udp 127.0.0.1:{{port}}"] },
                      "profiles": { "serverHost": "127.0.0.1" } }
                    """,
                Arguments = uplink.ServeArguments,
                PresetPairingToken = "preset-pairing-token-for-the-pppoe-handover-test-0123",
            };
            var agents = new List<AgentDaemon> { await AgentDaemon.StartAsync(options, scratch) };
            try
            {
                await agents[0].Api.IssueClientAsync(new IssueClientRequest("ho-pppoe"));
                var (_, profile) = await agents[0].Api.GetProfileAsync("ho-pppoe", "udp", "linux");
                using var client = OpenVpnClientProcess.Start(profile);
                await client.WaitForLogAsync("Initialization Sequence Completed", Patience);
                LabNamespace.Run("ip", "link", "set", client.TapName!, "master", clientLan.Name, "up");
                using var subscriber = PppdClientGuest.Start(site, "br0", Path.Combine(scratch.Parent, "subscriber"), ispOptions.User, ispOptions.Password, ping: ispOptions.LocalAddress.ToString());
                Assert.True(subscriber.WaitForIpcp(Patience) is not null, $"no IPCP; subscriber console:\n{subscriber.Console}");
                await Until(() => Replies(subscriber.Console).Count >= 5, Patience);

                // SIGTERM and the next agent on the same state directory: the session is handed over.
                int before = Replies(subscriber.Console).Max();
                agents[0].Terminate();
                File.Delete(Path.Combine(scratch.StatePath, LocalAccess.FileName));
                agents.Add(await AgentDaemon.StartAsync(options with { PresetPairingToken = null }, scratch));
                Assert.Equal(0, await agents[0].WaitForExitAsync(Patience));
                await Until(() => Replies(subscriber.Console).Max() >= before + 15, Patience);
                var (lost, longest) = Gaps(Replies(subscriber.Console), before, before + 15);
                int dials = Dials(subscriber.Console);
                output.WriteLine($"SIGTERM and a new agent: {lost} of 15 pings lost (longest gap {longest} s), {dials} PPP session(s) in all");
                Assert.Contains("taking over from the previous process", agents[1].Output, StringComparison.Ordinal);
                Assert.True(lost <= 3, $"{lost} pings lost across the hand-over; console:\n{subscriber.Console}");
                Assert.Equal(1, dials);
                Assert.Equal(1, Regex.Count(client.Log, "Peer Connection Initiated"));

                // SIGKILL: nothing is handed over; a new agent starts 2 s later (systemd's RestartSec), the client notices
                // by ping-restart and reconnects on the same tap.
                before = Replies(subscriber.Console).Max();
                var killed = Stopwatch.StartNew();
                await agents[1].KillAsync();
                await Task.Delay(2000);
                File.Delete(Path.Combine(scratch.StatePath, LocalAccess.FileName));
                agents.Add(await AgentDaemon.StartAsync(options with { PresetPairingToken = null }, scratch));
                bool resumed = await Until(() => Replies(subscriber.Console).Max() > before + 5 && RepliesSince(subscriber.Console, before + 5) >= 3, TimeSpan.FromSeconds(90), throws: false);
                int after = Replies(subscriber.Console).Max();
                var (killedLost, outage) = Gaps(Replies(subscriber.Console), before, after);
                output.WriteLine($"SIGKILL: pings {(resumed ? "resumed" : "did not resume")} ({killed.Elapsed.TotalSeconds:0} s after the kill), " +
                    $"outage {outage} s ({killedLost} pings lost), PPP sessions in all: {Dials(subscriber.Console)} " +
                    $"({(Dials(subscriber.Console) == 1 ? "the PPPoE session survived" : "PPP redialled")}), client connections: {Regex.Count(client.Log, "Peer Connection Initiated")}");
                Assert.True(resumed, $"the client did not come back after SIGKILL; client log:\n{client.Log}");
            }
            finally
            {
                foreach (var agent in agents)
                    await agent.DisposeAsync();
            }
        }
        finally
        {
            await server.StopAsync(CancellationToken.None);
            LabNamespace.TryRun("ip", ["link", "del", ispVeth], out _);
            LabNamespace.TryRun("ip", ["link", "del", siteVeth], out _);
        }
    }

    /// <summary>A veth from a root-namespace bridge to the namespace's br0.</summary>
    private static void Veth(string name, string bridge, LabNamespace ns)
    {
        LabNamespace.Run("ip", "link", "add", name, "type", "veth", "peer", "name", name + "p");
        LabNamespace.Run("ip", "link", "set", name, "master", bridge, "up");
        LabNamespace.Run("ip", "link", "set", name + "p", "netns", ns.Name);
        ns.Ip("link", "set", name + "p", "master", "br0", "up");
    }

    private static int FreeUdpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    /// <summary>The icmp_seq of every ping reply on the guest's console.</summary>
    private static List<int> Replies(string console) =>
        [.. Reply().Matches(console).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)), 0];

    private static int RepliesSince(string console, int seq) => Replies(console).Count(s => s > seq);

    /// <summary>Pings in (from, to] with no reply, and the longest run of them (seconds at one ping a second).</summary>
    private static (int Lost, int Longest) Gaps(List<int> replies, int from, int to)
    {
        var seen = replies.ToHashSet();
        int lost = 0, run = 0, longest = 0;
        for (int seq = from + 1; seq <= to; seq++)
        {
            if (seen.Contains(seq))
            {
                run = 0;
                continue;
            }
            lost++;
            longest = Math.Max(longest, ++run);
        }
        return (lost, longest);
    }

    /// <summary>IPCP ups on the subscriber: 1 means the PPP session never redialled.</summary>
    private static int Dials(string console) => Regex.Count(console, "local  IP address");

    private static async Task<bool> Until(Func<bool> done, TimeSpan patience, bool throws = true)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!done())
        {
            if (DateTime.UtcNow > deadline)
                return throws ? throw new TimeoutException("gave up waiting") : false;
            await Task.Delay(200);
        }
        return true;
    }

    [GeneratedRegex(@"bytes from [0-9.]+: icmp_seq=(\d+)")]
    private static partial Regex Reply();
}

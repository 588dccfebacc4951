using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using Appliance.Agent.Api;
using Appliance.Agent.Handover;
using Appliance.Agent.State;
using Appliance.Agent.Tests.Lab;
using Appliance.Agent.Tests.Support;
using Appliance.Contracts;
using Appliance.Tunnel.Sessions;
using Xunit.Abstractions;

namespace Appliance.Agent.Tests;

/// <summary>
/// Restart and upgrade without a drop, with real agent processes on one state directory: the stopping agent (SIGTERM)
/// hands its tunnel sockets, uplink TAP and sessions to the next through the state directory's Unix socket (no systemd
/// here), and the real 2.6 client goes on without a new handshake. A state that does not fit is refused and the agent
/// starts clean.
/// </summary>
[Trait("Category", "EndToEnd")]
[SupportedOSPlatform("linux")]
public sealed partial class HandoverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const string Token = "preset-pairing-token-for-the-handover-tests-012345";

    [Fact]
    public async Task A_client_keeps_its_tunnel_across_SIGTERM_of_one_agent_and_start_of_the_next_with_no_new_handshake()
    {
        if (!TestBridge.IsRoot || !OpenVpnClientProcess.IsInstalled)
            return;
        using var bridge = new TestBridge();
        using var temp = new TemporaryStateDirectory();
        // The far end of the uplink: an address in a namespace of the test's own, behind a veth on the uplink bridge.
        using var far = LabNamespace.Create("br0");
        string subnet = $"10.{Random.Shared.Next(64, 250)}.{Random.Shared.Next(1, 250)}";
        string veth = "aahv" + Guid.NewGuid().ToString("N")[..6];
        LabNamespace.Run("ip", "link", "add", veth, "type", "veth", "peer", "name", veth + "p");
        string tap = "";
        try
        {
            LabNamespace.Run("ip", "link", "set", veth, "master", bridge.Name, "up");
            LabNamespace.Run("ip", "link", "set", veth + "p", "netns", far.Name);
            far.Ip("addr", "add", $"{subnet}.1/24", "dev", veth + "p");
            far.Ip("link", "set", veth + "p", "up");

            var options = new AgentDaemonOptions { Arguments = [.. bridge.ServeArguments, "--all-layer2"], PresetPairingToken = Token };
            var first = await AgentDaemon.StartAsync(options, temp);
            AgentDaemon? second = null;
            try
            {
                await first.Api.IssueClientAsync(new IssueClientRequest("ho-alice"));
                var (_, profile) = await first.Api.GetProfileAsync("ho-alice", "udp", "linux");
                using var client = OpenVpnClientProcess.Start(profile);
                await client.WaitForLogAsync("Initialization Sequence Completed", Patience);
                tap = client.TapName!;
                LabNamespace.Run("ip", "addr", "add", $"{subnet}.2/24", "dev", tap);
                LabNamespace.Run("ip", "link", "set", tap, "up");
                var before = (await first.Api.GetSessionsAsync()).Single(s => s.CommonName == "ho-alice" && s.Established);
                string uplinkIndex = File.ReadAllText($"/sys/class/net/{bridge.TapName}/ifindex").Trim();
                // The path works before the restart.
                Assert.Contains(" 0% packet loss", await PingAsync(tap, $"{subnet}.1", count: 3, interval: 0.2), StringComparison.Ordinal);

                // Five pings a second across the restart: the old agent stops (SIGTERM), the new one starts on the same state.
                var pinging = PingAsync(tap, $"{subnet}.1", count: 60, interval: 0.2);
                await Task.Delay(2000);
                var stopping = Stopwatch.StartNew();
                first.Terminate();
                File.Delete(Path.Combine(temp.StatePath, LocalAccess.FileName));
                second = await AgentDaemon.StartAsync(options with { PresetPairingToken = null }, temp);
                output.WriteLine($"the next agent answered {stopping.ElapsedMilliseconds} ms after SIGTERM");
                Assert.Equal(0, await first.WaitForExitAsync(Patience));
                string pings = await pinging;
                output.WriteLine(pings);
                output.WriteLine(first.Output);
                output.WriteLine(second.Output);

                var (sent, received) = PingCounts(pings);
                output.WriteLine($"pings: {sent} sent, {received} answered, {sent - received} lost");
                Assert.Contains("handed 4 fds (state, tunnel-0, tunnel-1, uplink-tap-", first.Output, StringComparison.Ordinal);
                Assert.Contains("taking over from the previous process over ", second.Output, StringComparison.Ordinal);
                // The same session goes on: same id, no new TLS handshake in the client, no restart.
                var after = (await second.Api.GetSessionsAsync()).Single(s => s.CommonName == "ho-alice" && s.Established);
                Assert.Equal(before.Id, after.Id);
                Assert.Equal(1, Regex.Count(client.Log, "Peer Connection Initiated"));
                Assert.DoesNotContain("SIGUSR1", client.Log, StringComparison.Ordinal);
                Assert.Equal(uplinkIndex, File.ReadAllText($"/sys/class/net/{bridge.TapName}/ifindex").Trim());
                Assert.True(sent - received <= 3, $"{sent - received} of {sent} pings lost across the hand-over");
            }
            finally
            {
                if (second is not null)
                    await second.DisposeAsync();
                await first.DisposeAsync();
            }
        }
        finally
        {
            LabNamespace.TryRun("ip", ["link", "del", veth], out _);
        }
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "another-appliance", "belongs to another appliance" },
        { "truncated", "is corrupted or truncated" },
        { "corrupted", "is corrupted or truncated" },
        { "another-format", "has format 2; this build reads format 1" },
        { "unsealed", "memfd is not sealed" },
    };

    /// <summary>The test plays the predecessor through the real Unix-socket transport: a state memfd and a bound UDP socket.
    /// A state that does not fit is refused by name, the handed socket is closed in the new agent (nothing half-applied)
    /// and it listens on a socket of its own; a fitting one (the control) is taken over, socket and all.</summary>
    [Theory]
    [MemberData(nameof(Refusals))]
    [InlineData("fits", "taking over from the previous process")]
    public async Task A_handed_state_that_does_not_fit_is_refused_with_a_clear_line_and_the_agent_starts_clean(string variant, string expected)
    {
        using var temp = new TemporaryStateDirectory();
        using var bridge = new TestBridge();
        string identity;
        using (var state = ApplianceState.Open(temp.StatePath, new Appliance.Agent.Pki.ServerIdentity(), TimeProvider.System))
            identity = AgentHandover.IdentityOf(state.Ca);
        var options = new AgentDaemonOptions
        {
            ConfigJson = """{ "api": { "listen": "127.0.0.1:0" }, "tunnel": { "listen": ["udp 127.0.0.1:0"] }, "profiles": { "serverHost": "127.0.0.1" } }""",
            Arguments = [.. bridge.ServeArguments, "--handover-wait", "0"],
        };

        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        string inode = SocketInode(Environment.ProcessId, (int)udp.SafeHandle.DangerousGetHandle());
        using var bundle = new HandoverBundle();
        bundle.Add(HandoverBundle.StateName, StateMemory(variant, identity));
        bundle.Add(HandoverBundle.ListenerName(0), HandoverNative.Fcntl((int)udp.SafeHandle.DangerousGetHandle(), 1030 /* F_DUPFD_CLOEXEC */, 0));
        var offered = UnixSocketHandover.OfferAsync(temp.StatePath, bundle, Patience, output.WriteLine);

        await using var agent = await AgentDaemon.StartAsync(options, temp);
        Assert.True(await offered);
        output.WriteLine(agent.Output);
        Assert.Contains(expected, agent.Output, StringComparison.Ordinal);
        string listener = (await agent.Api.GetHealthAsync()).Listeners.Single();
        bool holdsHandedSocket = HoldsSocket(agent.ProcessId, inode);
        if (variant == "fits")
        {
            Assert.Equal($"udp {udp.LocalEndPoint}", listener);
            Assert.True(holdsHandedSocket);
        }
        else
        {
            Assert.Contains("is refused: ", agent.Output, StringComparison.Ordinal);
            Assert.Contains("; starting clean (1 handed fds closed)", agent.Output, StringComparison.Ordinal);
            Assert.NotEqual($"udp {udp.LocalEndPoint}", listener);
            Assert.False(holdsHandedSocket, "the refused hand-over's socket is still open in the agent");
        }
    }

    private static int StateMemory(string variant, string identity)
    {
        var now = DateTimeOffset.UtcNow;
        byte[] blob = variant switch
        {
            "another-appliance" => TunnelStateCodec.Encode(new TunnelState(TunnelState.CurrentFormat, "00:11:22:33", now, [])),
            "another-format" => TunnelStateCodec.Encode(new TunnelState(TunnelState.CurrentFormat + 1, identity, now, [])),
            _ => TunnelStateCodec.Encode(new TunnelState(TunnelState.CurrentFormat, identity, now, [])),
        };
        if (variant == "truncated")
            blob = blob[..(blob.Length - 10)];
        if (variant == "corrupted")
            blob[^3] ^= 0x20;
        return HandoverNative.Memory("test-state", blob, seal: variant != "unsealed");
    }

    /// <summary>"socket:[inode]" of one fd of a process.</summary>
    private static string SocketInode(int pid, int fd) => new FileInfo($"/proc/{pid}/fd/{fd}").LinkTarget ?? "";

    private static bool HoldsSocket(int pid, string inode) =>
        new DirectoryInfo($"/proc/{pid}/fd").EnumerateFiles().Any(f => f.LinkTarget == inode);

    private static async Task<string> PingAsync(string device, string address, int count, double interval)
    {
        var start = new ProcessStartInfo("ping") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "-n", "-I", device, "-c", count.ToString(CultureInfo.InvariantCulture), "-i", interval.ToString(CultureInfo.InvariantCulture), "-W", "5", address })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string text = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return text + await error;
    }

    private static (int Sent, int Received) PingCounts(string text)
    {
        var match = PingSummary().Match(text);
        Assert.True(match.Success, text);
        return (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"(\d+) packets transmitted, (\d+) received")]
    private static partial Regex PingSummary();
}

using System.Diagnostics;
using Appliance.Agent.Profiles;
using Appliance.EndToEnd.Tests.Support;
using Appliance.Tunnel.Switching;

namespace Appliance.TunnelBench;

public enum ServerUnderTest
{
    Ours,
    OpenVpn,
}

public enum Direction
{
    /// <summary>Client site → server's uplink (iperf3 client sends).</summary>
    Upload,
    /// <summary>Server's uplink → client site (iperf3 -R).</summary>
    Download,
}

/// <summary>One measured iperf3 run through one server.</summary>
public sealed record Measurement(ServerUnderTest Server, Direction Direction, int Round, IperfResult Iperf, double WallSeconds,
    double ServerCpuSeconds, double ClientCpuSeconds, long ClientFragments, long ServerSocketDrops, long ClientSocketDrops, double MachineBusyPercent)
{
    public double ServerCpuPercent => 100 * ServerCpuSeconds / WallSeconds;

    public double ClientCpuPercent => 100 * ClientCpuSeconds / WallSeconds;
}

/// <summary>
/// A fresh lab for one server: the stock client at a site whose TAP holds <see cref="ClientAddress"/>, and an iperf3
/// server on <see cref="IperfAddress"/>, which sits on the server namespace's uplink bridge itself, so every test
/// frame crosses the VPN server's TAP. Everything is created here and deleted on return.
/// </summary>
public static class ThroughputRun
{
    public const string IperfAddress = "10.200.0.1";
    public const string ClientAddress = "10.200.0.2";
    public const string Cipher = "AES-256-GCM";
    private static readonly TimeSpan ReachableTimeout = TimeSpan.FromSeconds(15);

    public static async Task<IReadOnlyList<Measurement>> RunAsync(ServerUnderTest which, int round, BenchOptions options, TextWriter log)
    {
        using var pki = TestPki.Create();
        using var lab = VpnLab.Create();
        var site = lab.AddClientSite();
        lab.Server.Ip("addr", "add", $"{IperfAddress}/24", "dev", VpnLab.UplinkBridge);
        using var iperfServer = lab.Server.Start("iperf3", ["-s", "-B", IperfAddress]);
        // The product's profile, for both servers: same client options, same cipher negotiation.
        string profile = ProfileRenderer.Render(new Appliance.Agent.Profiles.ClientProfile
        {
            ClientName = pki.Client.CommonName,
            ServerHost = VpnLab.ServerAddress,
            ServerPort = 1194,
            ServerName = pki.Server.CommonName,
            CaPem = pki.Ca.CertificatePem,
            CertificatePem = pki.Client.CertificatePem,
            PrivateKeyPem = pki.Client.PrivateKeyPem,
            TlsCryptKey = pki.TlsCryptKey,
            Platform = ProfilePlatform.Linux,
        });

        ApplianceServer? ours = null;
        ReferenceOpenVpnServer? reference = null;
        try
        {
            if (which == ServerUnderTest.Ours)
                ours = ApplianceServer.Start(lab, pki, new ApplianceServerOptions { Policy = SwitchPolicy.AllLayer2 });
            else
                reference = ReferenceOpenVpnServer.Start(lab.Server, pki, new ReferenceServerOptions { ExtraOptions = [$"data-ciphers {Cipher}"] });
            using var client = OpenVpnClient.Connect(site.Namespace, profile);
            if (!client.Log.Contains($"Data Channel: cipher '{Cipher}'", StringComparison.Ordinal))
                throw new InvalidOperationException($"the client did not negotiate {Cipher}; log:\n{client.Log}");
            site.Namespace.Ip("addr", "add", $"{ClientAddress}/24", "dev", client.TapName!);
            if (!Poll.Until(() => site.Namespace.TryExec("ping", "-c", "1", "-W", "1", IperfAddress) == 0, ReachableTimeout))
                throw new InvalidOperationException($"{IperfAddress} is not reachable through {which}; client log:\n{client.Log}");

            int? serverPid = reference?.Pid;
            // A connected but silent tunnel should cost (almost) nothing: a busy control loop shows up here first.
            double idleCpu = ProcessCpu.Seconds(serverPid);
            Thread.Sleep(TimeSpan.FromSeconds(options.IdleSeconds));
            idleCpu = 100 * (ProcessCpu.Seconds(serverPid) - idleCpu) / options.IdleSeconds;
            log.WriteLine($"round {round}, {Name(which)}: idle tunnel, server CPU {idleCpu:F0} % over {options.IdleSeconds} s");
            log.WriteLine($"round {round}, {Name(which)}: server PID {serverPid ?? Environment.ProcessId}, client PID {client.Pid}; warm-up {options.WarmUpSeconds} s");
            // Same for both servers; for ours it also lets the JIT reach tier 1 on the data path.
            Iperf(site, options.WarmUpSeconds, reverse: false);
            Iperf(site, options.WarmUpSeconds, reverse: true);

            var results = new List<Measurement>();
            foreach (var direction in new[] { Direction.Upload, Direction.Download })
            {
                double serverCpu = ProcessCpu.Seconds(serverPid);
                double clientCpu = ProcessCpu.Seconds(client.Pid);
                long fragments = site.Namespace.Ipv4Counter("FragCreates");
                long serverDrops = UdpCounters.Read(lab.Server, "RcvbufErrors");
                long clientDrops = UdpCounters.Read(site.Namespace, "RcvbufErrors");
                var machine = ProcessCpu.Machine();
                var clock = Stopwatch.StartNew();
                var iperf = IperfResult.Parse(Iperf(site, options.Seconds, direction == Direction.Download));
                double wall = clock.Elapsed.TotalSeconds;
                var machineAfter = ProcessCpu.Machine();
                double busy = 100 * (machineAfter.Busy - machine.Busy) / (machineAfter.Total - machine.Total);
                var measurement = new Measurement(which, direction, round, iperf, wall,
                    ProcessCpu.Seconds(serverPid) - serverCpu, ProcessCpu.Seconds(client.Pid) - clientCpu,
                    site.Namespace.Ipv4Counter("FragCreates") - fragments,
                    UdpCounters.Read(lab.Server, "RcvbufErrors") - serverDrops, UdpCounters.Read(site.Namespace, "RcvbufErrors") - clientDrops, busy);
                log.WriteLine($"  {direction,-8} {iperf.ReceivedMbps,8:F0} Mbit/s  retransmits {iperf.Retransmits,5}  server CPU {measurement.ServerCpuPercent,3:F0} %  client CPU {measurement.ClientCpuPercent,3:F0} %  machine busy {busy,3:F0} %  client fragments {measurement.ClientFragments}  UDP socket-buffer drops: server {measurement.ServerSocketDrops}, client {measurement.ClientSocketDrops}");
                results.Add(measurement);
            }
            return results;
        }
        finally
        {
            reference?.Dispose();
            if (ours is not null)
                await ours.DisposeAsync();
        }
    }

    public static string Name(ServerUnderTest server) => server == ServerUnderTest.Ours ? "ours" : "OpenVPN 2.6";

    private static string Iperf(ClientSite site, int seconds, bool reverse)
    {
        List<string> args = ["netns", "exec", site.Namespace.Name, "iperf3", "-c", IperfAddress, "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "-J"];
        if (reverse)
            args.Add("-R");
        NetworkNamespace.TryRun("ip", [.. args], out string output);
        return output;
    }
}

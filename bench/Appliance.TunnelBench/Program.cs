using System.Globalization;
using Appliance.TunnelBench;

// iperf3 TCP throughput through our server and through OpenVPN 2.6's own server, side by side in one run.
// Usage: tunnel-throughput [--rounds N] [--seconds S] [--warm-up S] [--idle S] [--only ours|openvpn]
var options = BenchOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: tunnel-throughput [--rounds N] [--seconds S] [--warm-up S] [--idle S] [--only ours|openvpn]");
    return 2;
}
if (Environment.UserName != "root")
{
    Console.Error.WriteLine("tunnel-throughput creates network namespaces and TAPs: run it as root");
    return 2;
}

var all = new List<Measurement>();
for (int round = 1; round <= options.Rounds; round++)
{
    // Interleaved (ours, OpenVPN, ours, OpenVPN …) so drift on the machine hits both alike.
    foreach (var server in options.Servers)
        all.AddRange(await ThroughputRun.RunAsync(server, round, options, Console.Out));
}
Console.WriteLine();
Console.WriteLine(Report.Table(all, options));
return 0;

namespace Appliance.TunnelBench
{
    public sealed record BenchOptions(int Rounds, int Seconds, int WarmUpSeconds, int IdleSeconds, IReadOnlyList<ServerUnderTest> Servers)
    {
        public static BenchOptions? Parse(string[] args)
        {
            var options = new BenchOptions(3, 10, 3, 2, [ServerUnderTest.Ours, ServerUnderTest.OpenVpn]);
            for (int i = 0; i + 1 < args.Length; i += 2)
            {
                bool ok = int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0;
                switch (args[i])
                {
                    case "--rounds" when ok:
                        options = options with { Rounds = n };
                        break;
                    case "--seconds" when ok:
                        options = options with { Seconds = n };
                        break;
                    case "--warm-up" when ok:
                        options = options with { WarmUpSeconds = n };
                        break;
                    case "--idle" when ok:
                        options = options with { IdleSeconds = n };
                        break;
                    case "--only" when args[i + 1] is "ours":
                        options = options with { Servers = [ServerUnderTest.Ours] };
                        break;
                    case "--only" when args[i + 1] is "openvpn":
                        options = options with { Servers = [ServerUnderTest.OpenVpn] };
                        break;
                    default:
                        return null;
                }
            }
            return args.Length % 2 == 0 ? options : null;
        }
    }

    public static class Report
    {
        public static string Table(IReadOnlyList<Measurement> all, BenchOptions options)
        {
            var text = new System.Text.StringBuilder();
            text.Append(CultureInfo.InvariantCulture,
                $"iperf3 TCP, {options.Seconds} s per run, median of {options.Rounds} round(s); UDP, {ThroughputRun.Cipher}, dev tap; CPU = % of one core over the run\n\n");
            text.Append("| direction | ours Mbit/s | OpenVPN 2.6 Mbit/s | ours / OpenVPN | ours server CPU | OpenVPN server CPU | client CPU (ours / OpenVPN) |\n");
            text.Append("|---|---:|---:|---:|---:|---:|---:|\n");
            foreach (var direction in new[] { Direction.Upload, Direction.Download })
            {
                var ours = Pick(all, ServerUnderTest.Ours, direction);
                var reference = Pick(all, ServerUnderTest.OpenVpn, direction);
                double oursMbps = Median(ours, m => m.Iperf.ReceivedMbps);
                double referenceMbps = Median(reference, m => m.Iperf.ReceivedMbps);
                string ratio = ours.Count > 0 && reference.Count > 0 ? (oursMbps / referenceMbps).ToString("F2", CultureInfo.InvariantCulture) : "-";
                string label = direction == Direction.Upload ? "client → uplink" : "uplink → client (-R)";
                text.Append(CultureInfo.InvariantCulture,
                    $"| {label} | {Cell(ours, oursMbps, "F0")} | {Cell(reference, referenceMbps, "F0")} | {ratio} | {Percent(ours, m => m.ServerCpuPercent)} | {Percent(reference, m => m.ServerCpuPercent)} | {Percent(ours, m => m.ClientCpuPercent)} / {Percent(reference, m => m.ClientCpuPercent)} |\n");
            }
            text.Append("\nWhere TCP lost segments (median per run): TCP retransmits; datagrams dropped at a full UDP socket buffer of the server / the client; machine busy = both cores\n\n");
            text.Append("| direction | server | retransmits | server socket drops | client socket drops | machine busy |\n");
            text.Append("|---|---|---:|---:|---:|---:|\n");
            foreach (var direction in new[] { Direction.Upload, Direction.Download })
            {
                foreach (var server in options.Servers)
                {
                    var runs = Pick(all, server, direction);
                    text.Append(CultureInfo.InvariantCulture,
                        $"| {direction} | {ThroughputRun.Name(server)} | {Median(runs, m => m.Iperf.Retransmits):F0} | {Median(runs, m => m.ServerSocketDrops):F0} | {Median(runs, m => m.ClientSocketDrops):F0} | {Percent(runs, m => m.MachineBusyPercent)} |\n");
                }
            }
            text.Append("\nEvery run (Mbit/s): ");
            foreach (var m in all)
                text.Append(CultureInfo.InvariantCulture, $"{ThroughputRun.Name(m.Server)} {m.Direction} r{m.Round} {m.Iperf.ReceivedMbps:F0}; ");
            return text.ToString();
        }

        private static List<Measurement> Pick(IReadOnlyList<Measurement> all, ServerUnderTest server, Direction direction)
        {
            var picked = new List<Measurement>();
            foreach (var m in all)
            {
                if (m.Server == server && m.Direction == direction)
                    picked.Add(m);
            }
            return picked;
        }

        private static string Cell(List<Measurement> runs, double value, string format) =>
            runs.Count == 0 ? "-" : value.ToString(format, CultureInfo.InvariantCulture);

        private static string Percent(List<Measurement> runs, Func<Measurement, double> value) =>
            runs.Count == 0 ? "-" : Median(runs, value).ToString("F0", CultureInfo.InvariantCulture) + " %";

        private static double Median(List<Measurement> runs, Func<Measurement, double> value)
        {
            if (runs.Count == 0)
                return double.NaN;
            var values = new double[runs.Count];
            for (int i = 0; i < runs.Count; i++)
                values[i] = value(runs[i]);
            Array.Sort(values);
            int middle = values.Length / 2;
            return values.Length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
        }
    }
}

using System.Text.Json;

namespace Appliance.TunnelBench;

/// <summary>What one `iperf3 -J` TCP run reports: goodput at the receiver and the sender's retransmissions.</summary>
public readonly record struct IperfResult(double ReceivedMbps, long Retransmits)
{
    /// <summary>Reads iperf3's JSON; throws with iperf3's own error text when the run failed.</summary>
    public static IperfResult Parse(string json)
    {
        int start = json.IndexOf('{', StringComparison.Ordinal);
        if (start < 0)
            throw new InvalidOperationException("iperf3 printed no JSON: " + json);
        using var document = JsonDocument.Parse(json[start..]);
        var root = document.RootElement;
        if (root.TryGetProperty("error", out var error))
            throw new InvalidOperationException("iperf3 failed: " + error.GetString());
        var end = root.GetProperty("end");
        double bits = end.GetProperty("sum_received").GetProperty("bits_per_second").GetDouble();
        long retransmits = end.GetProperty("sum_sent").TryGetProperty("retransmits", out var r) ? r.GetInt64() : 0;
        return new IperfResult(bits / 1e6, retransmits);
    }
}

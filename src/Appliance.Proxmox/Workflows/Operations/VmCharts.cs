using Appliance.Proxmox.Models;

namespace Appliance.Proxmox.Workflows.Operations;

/// <summary>One point of a chart; <see cref="Value"/> is null where PVE has no data (the VM was stopped): draw a gap.</summary>
public readonly record struct ChartPoint(DateTimeOffset Time, double? Value);

/// <summary>A series for a chart: its name, unit and points in time order.</summary>
/// <param name="Id">Stable id: <c>cpu</c>, <c>memory</c>, <c>netin</c>, <c>netout</c>.</param>
/// <param name="Label">Legend text.</param>
/// <param name="Unit"><c>%</c>, <c>bytes</c> or <c>bytes/s</c>.</param>
/// <param name="Points">The points.</param>
public sealed record TimeSeries(string Id, string Label, string Unit, IReadOnlyList<ChartPoint> Points);

/// <summary>The appliance VM's graphs over one time frame.</summary>
public sealed record VmCharts(RrdTimeframe Timeframe, TimeSeries Cpu, TimeSeries Memory, TimeSeries NetIn, TimeSeries NetOut)
{
    /// <summary>Shapes RRD samples into series: CPU as percent of the VM's vCPUs, memory in bytes, network in bytes per second.</summary>
    public static VmCharts From(RrdTimeframe timeframe, IEnumerable<RrdSample> samples)
    {
        var ordered = samples.OrderBy(s => s.Time).ToList();
        TimeSeries Series(string id, string label, string unit, Func<RrdSample, double?> value)
            => new(id, label, unit, ordered.Select(s => new ChartPoint(s.Time, value(s))).ToList());
        return new VmCharts(timeframe,
            Series("cpu", "CPU", "%", s => s["cpu"] * 100),
            Series("memory", "Memory used", "bytes", s => s["mem"]),
            Series("netin", "Network in", "bytes/s", s => s["netin"]),
            Series("netout", "Network out", "bytes/s", s => s["netout"]));
    }
}

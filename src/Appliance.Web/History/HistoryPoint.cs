namespace Appliance.Web.History;

/// <summary>A client's traffic in one bucket of a chart (or a total when <see cref="At"/> is the start of the range).</summary>
public sealed record HistoryPoint(DateTimeOffset At, TrafficTotals Traffic)
{
    public double BytesIn => Traffic.BytesIn;
    public double BytesOut => Traffic.BytesOut;
}

/// <summary>The all-time traffic of one client.</summary>
public sealed record ClientTotals(string ClientName, TrafficTotals Traffic);

/// <summary>One session's cumulative counters as sampled.</summary>
public sealed record SessionSample(string SessionId, string ClientName, TrafficTotals Totals);

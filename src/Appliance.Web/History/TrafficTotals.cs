using Appliance.Contracts;

namespace Appliance.Web.History;

/// <summary>
/// The counters the history keeps per client, as cumulative totals of one agent session or as a delta between two
/// samples. "In" is what the client sent into the appliance, "Out" what the appliance sent to the client.
/// </summary>
public readonly record struct TrafficTotals(
    long FramesIn,
    long BytesIn,
    long FramesOut,
    long BytesOut,
    long DroppedIn,
    long DroppedOut,
    long ShortFramesIn,
    long ShortFramesOut)
{
    /// <summary>The size class that tells the origin case (see "Reading the counters" in the README).</summary>
    public const string ShortFrameSizeClass = "14-33";

    public static TrafficTotals Zero => default;

    public bool IsZero => this == default;

    /// <summary>The totals of a session as the agent reports them (zero before it is established).</summary>
    public static TrafficTotals Of(SessionDto session) => new(
        session.In?.Frames ?? 0,
        session.In?.Bytes ?? 0,
        session.Out?.Frames ?? 0,
        session.Out?.Bytes ?? 0,
        session.In?.DroppedFrames ?? 0,
        session.Out?.DroppedFrames ?? 0,
        ShortFrames(session.In),
        ShortFrames(session.Out));

    public static TrafficTotals operator +(TrafficTotals a, TrafficTotals b) => new(
        a.FramesIn + b.FramesIn,
        a.BytesIn + b.BytesIn,
        a.FramesOut + b.FramesOut,
        a.BytesOut + b.BytesOut,
        a.DroppedIn + b.DroppedIn,
        a.DroppedOut + b.DroppedOut,
        a.ShortFramesIn + b.ShortFramesIn,
        a.ShortFramesOut + b.ShortFramesOut);

    public static TrafficTotals Add(TrafficTotals left, TrafficTotals right) => left + right;

    private static long ShortFrames(DirectionCountersDto? direction) =>
        direction is not null && direction.BySize.TryGetValue(ShortFrameSizeClass, out long n) ? n : 0;
}

namespace Appliance.Web.History;

/// <summary>A chart range of the History page: how far back, in which buckets, read from which table.</summary>
public sealed record HistoryRange(string Key, TimeSpan Span, Granularity Source, Granularity Bucket)
{
    public static IReadOnlyList<HistoryRange> All { get; } =
    [
        new("hours", TimeSpan.FromHours(48), Granularity.Minute, Granularity.Hour),
        new("days", TimeSpan.FromDays(30), Granularity.Hour, Granularity.Day),
        new("months", TimeSpan.FromDays(365), Granularity.Day, Granularity.Day),
    ];

    public static HistoryRange Find(string? key) => All.FirstOrDefault(r => r.Key == key) ?? All[0];

    public (DateTimeOffset From, DateTimeOffset Until) Window(DateTimeOffset now)
    {
        long size = Bucket.BucketMilliseconds();
        long until = Bucket.BucketOf(now.ToUnixTimeMilliseconds()) + size;
        return (DateTimeOffset.FromUnixTimeMilliseconds(until) - Span, DateTimeOffset.FromUnixTimeMilliseconds(until));
    }
}

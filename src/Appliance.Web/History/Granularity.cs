namespace Appliance.Web.History;

/// <summary>The rollup levels of the history: each is rolled up from the one before (samples → minute → hour → day).</summary>
public enum Granularity
{
    Minute,
    Hour,
    Day,
}

public static class Granularities
{
    public static long BucketMilliseconds(this Granularity granularity) => granularity switch
    {
        Granularity.Minute => 60_000,
        Granularity.Hour => 3_600_000,
        Granularity.Day => 86_400_000,
        _ => throw new ArgumentOutOfRangeException(nameof(granularity), granularity, null),
    };

    /// <summary>The start of the bucket holding <paramref name="atMs"/> (buckets are aligned to UTC).</summary>
    public static long BucketOf(this Granularity granularity, long atMs) => atMs - (atMs % granularity.BucketMilliseconds());

    internal static string Table(this Granularity granularity) => granularity switch
    {
        Granularity.Minute => "history_minute",
        Granularity.Hour => "history_hour",
        Granularity.Day => "history_day",
        _ => throw new ArgumentOutOfRangeException(nameof(granularity), granularity, null),
    };
}

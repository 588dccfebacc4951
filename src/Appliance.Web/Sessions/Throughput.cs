namespace Appliance.Web.Sessions;

/// <summary>A session's throughput each way in bits per second, from two successive counter snapshots.</summary>
public readonly record struct Throughput(double BitsPerSecondIn, double BitsPerSecondOut)
{
    /// <summary>
    /// The rate between two byte counts taken at two instants. Null when the interval is not positive (same or reordered
    /// snapshot) or a counter went down (the session restarted): no rate rather than a made-up one.
    /// </summary>
    public static Throughput? Between(DateTimeOffset earlier, long bytesInEarlier, long bytesOutEarlier, DateTimeOffset later, long bytesInLater, long bytesOutLater)
    {
        double seconds = (later - earlier).TotalSeconds;
        if (seconds <= 0 || bytesInLater < bytesInEarlier || bytesOutLater < bytesOutEarlier)
            return null;
        return new Throughput((bytesInLater - bytesInEarlier) * 8 / seconds, (bytesOutLater - bytesOutEarlier) * 8 / seconds);
    }
}

using Appliance.Contracts;
using Appliance.Web.Sessions;

namespace Appliance.Web.Tests.Sessions;

public sealed class ThroughputTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Rate_is_bits_per_second_each_way_between_two_snapshots()
    {
        var rate = Throughput.Between(T0, 1_000, 2_000, T0.AddSeconds(2), 1_000 + 250_000, 2_000 + 500);

        Assert.NotNull(rate);
        Assert.Equal(1_000_000, rate.Value.BitsPerSecondIn);
        Assert.Equal(2_000, rate.Value.BitsPerSecondOut);
    }

    [Fact]
    public void No_rate_when_the_interval_is_not_positive()
    {
        Assert.Null(Throughput.Between(T0, 0, 0, T0, 100, 100));
        Assert.Null(Throughput.Between(T0, 0, 0, T0.AddSeconds(-1), 100, 100));
    }

    [Fact]
    public void No_rate_when_a_counter_went_down()
    {
        Assert.Null(Throughput.Between(T0, 500, 0, T0.AddSeconds(1), 100, 100));
    }

    [Fact]
    public void Tracker_gives_no_rate_on_first_sight_then_a_rate_and_a_chart_point()
    {
        var tracker = new ThroughputTracker();

        var first = tracker.Apply(Update(T0, Session("a", 0, 0)));
        var second = tracker.Apply(Update(T0.AddSeconds(1), Session("a", 125, 250)));

        Assert.Null(first[0].Rate);
        Assert.Equal(new Throughput(1000, 2000), second[0].Rate);
        Assert.Single(tracker.Series("a"));
    }

    [Fact]
    public void Tracker_forgets_a_session_that_ended_so_a_reused_id_starts_over()
    {
        var tracker = new ThroughputTracker();
        tracker.Apply(Update(T0, Session("a", 0, 0)));
        tracker.Apply(Update(T0.AddSeconds(1), Session("a", 100, 100)));

        tracker.Apply(Update(T0.AddSeconds(2)));
        var again = tracker.Apply(Update(T0.AddSeconds(3), Session("a", 5000, 5000)));

        Assert.Null(again[0].Rate);
        Assert.Empty(tracker.Series("a"));
    }

    [Fact]
    public void Tracker_keeps_a_bounded_series()
    {
        var tracker = new ThroughputTracker(seriesLength: 3);
        for (int i = 0; i < 10; i++)
            tracker.Apply(Update(T0.AddSeconds(i), Session("a", i * 100, 0)));

        var series = tracker.Series("a");
        Assert.Equal(3, series.Count);
        Assert.Equal(T0.AddSeconds(9), series[^1].At);
    }

    internal static SessionsUpdateDto Update(DateTimeOffset at, params SessionDto[] sessions) => new(at, sessions, null);

    internal static SessionDto Session(string id, long bytesIn, long bytesOut) => new(
        id, "client-" + id, "127.0.0.1:5000", "udp", "AES-256-GCM", true, T0, T0, 0, null, null, [],
        Counters(bytesIn), Counters(bytesOut), null);

    internal static DirectionCountersDto Counters(long bytes, long frames = 0, IReadOnlyDictionary<string, long>? bySize = null) => new(
        frames, bytes, 0, 0, 0, bySize ?? new Dictionary<string, long>(), new Dictionary<string, long>(), new Dictionary<string, long>(),
        new Dictionary<string, long>(), new Dictionary<string, long>(), new Dictionary<string, long>(), new Dictionary<string, long>());
}

using Appliance.Web.History;
using Appliance.Web.Tests.AgentsSupport;

namespace Appliance.Web.Tests.History;

public sealed class HistoryStoreTests : IDisposable
{
    private const long Agent = 1;
    private static readonly DateTimeOffset Day0 = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    private readonly TestDatabase _db = new();
    private readonly HistoryStore _history;

    public HistoryStoreTests() => _history = new HistoryStore(_db.Database);

    public void Dispose() => _db.Dispose();

    private static SessionSample Sample(string session, string client, long bytesIn, long bytesOut = 0) =>
        new(session, client, new TrafficTotals(bytesIn / 100, bytesIn, bytesOut / 100, bytesOut, 0, 0, 0, 0));

    private async Task<long> TotalBytesInAsync(string client) =>
        (await _history.TotalsAsync(Agent)).SingleOrDefault(t => t.ClientName == client)?.Traffic.BytesIn ?? 0;

    [Fact]
    public async Task Totals_survive_a_panel_restart_without_counting_twice()
    {
        await _history.RecordAsync(Agent, Day0.AddSeconds(10), [Sample("s1", "alice", 1000)]);

        var afterRestart = new HistoryStore(_db.Database);
        await afterRestart.RecordAsync(Agent, Day0.AddSeconds(20), [Sample("s1", "alice", 1500)]);

        Assert.Equal(1500, await TotalBytesInAsync("alice"));
    }

    [Fact]
    public async Task Totals_survive_an_agent_restart_that_reset_the_counters()
    {
        await _history.RecordAsync(Agent, Day0.AddSeconds(10), [Sample("s1", "alice", 1000)]);
        // Same session id, counters back near zero: the agent restarted.
        await _history.RecordAsync(Agent, Day0.AddSeconds(20), [Sample("s1", "alice", 40)]);
        // The client reconnected: a new session with its own counters.
        await _history.RecordAsync(Agent, Day0.AddSeconds(30), [Sample("s2", "alice", 70)]);

        Assert.Equal(1110, await TotalBytesInAsync("alice"));
    }

    [Fact]
    public async Task A_session_that_disappeared_and_came_back_counts_from_zero()
    {
        await _history.RecordAsync(Agent, Day0.AddSeconds(10), [Sample("s1", "alice", 1000)]);
        await _history.RecordAsync(Agent, Day0.AddSeconds(20), []);
        await _history.RecordAsync(Agent, Day0.AddSeconds(30), [Sample("s1", "alice", 300)]);

        Assert.Equal(1300, await TotalBytesInAsync("alice"));
    }

    [Fact]
    public async Task Clients_are_counted_apart()
    {
        await _history.RecordAsync(Agent, Day0.AddSeconds(10), [Sample("s1", "alice", 1000), Sample("s2", "bob", 200)]);

        Assert.Equal(1000, await TotalBytesInAsync("alice"));
        Assert.Equal(200, await TotalBytesInAsync("bob"));
    }

    [Fact]
    public async Task Rollup_puts_samples_either_side_of_a_minute_boundary_into_their_own_minutes_and_leaves_the_running_minute()
    {
        var boundary = Day0.AddHours(10).AddMinutes(1);
        await _history.RecordAsync(Agent, boundary.AddMilliseconds(-1), [Sample("s1", "alice", 100)]);
        await _history.RecordAsync(Agent, boundary, [Sample("s1", "alice", 300)]);

        await _history.RollUpAsync(boundary.AddSeconds(30));

        Assert.Equal(boundary.ToUnixTimeMilliseconds(), (await _history.WatermarksAsync())[Granularity.Minute]);
        var minutes = await _history.SeriesAsync(Agent, "alice", Granularity.Minute, Granularity.Minute, Day0, Day0.AddDays(1));
        Assert.Equal([boundary.AddMinutes(-1), boundary], minutes.Select(m => m.At));
        Assert.Equal([100L, 200L], minutes.Select(m => m.Traffic.BytesIn));

        await _history.RollUpAsync(boundary.AddMinutes(1));

        Assert.Equal(boundary.AddMinutes(1).ToUnixTimeMilliseconds(), (await _history.WatermarksAsync())[Granularity.Minute]);
        minutes = await _history.SeriesAsync(Agent, "alice", Granularity.Minute, Granularity.Minute, Day0, Day0.AddDays(1));
        Assert.Equal([100L, 200L], minutes.Select(m => m.Traffic.BytesIn));
        Assert.Equal(300, await TotalBytesInAsync("alice"));
    }

    [Fact]
    public async Task Rolling_up_again_gives_the_same_sums()
    {
        await _history.RecordAsync(Agent, Day0.AddMinutes(1), [Sample("s1", "alice", 100)]);
        await _history.RecordAsync(Agent, Day0.AddMinutes(2), [Sample("s1", "alice", 250)]);

        for (int i = 0; i < 3; i++)
            await _history.RollUpAsync(Day0.AddDays(2));

        var days = await _history.SeriesAsync(Agent, "alice", Granularity.Day, Granularity.Day, Day0, Day0.AddDays(3));
        Assert.Equal(250, Assert.Single(days).Traffic.BytesIn);
        Assert.Equal(250, await TotalBytesInAsync("alice"));
    }

    [Fact]
    public async Task Hours_and_days_split_at_midnight_utc()
    {
        await _history.RecordAsync(Agent, Day0.AddDays(1).AddSeconds(-30), [Sample("s1", "alice", 100)]);
        await _history.RecordAsync(Agent, Day0.AddDays(1).AddSeconds(30), [Sample("s1", "alice", 160)]);

        await _history.RollUpAsync(Day0.AddDays(2).AddMinutes(5));

        var hours = await _history.SeriesAsync(Agent, "alice", Granularity.Hour, Granularity.Hour, Day0, Day0.AddDays(2));
        Assert.Equal([Day0.AddHours(23), Day0.AddDays(1)], hours.Select(h => h.At));
        var days = await _history.SeriesAsync(Agent, "alice", Granularity.Day, Granularity.Day, Day0, Day0.AddDays(3));
        Assert.Equal([100L, 60L], days.Select(d => d.Traffic.BytesIn));
        Assert.Equal(160, await TotalBytesInAsync("alice"));
    }

    [Fact]
    public async Task Pruning_removes_rows_past_retention_and_keeps_the_totals()
    {
        await _history.RecordAsync(Agent, Day0.AddHours(1), [Sample("s1", "alice", 100)]);
        await _history.RecordAsync(Agent, Day0.AddDays(9), [Sample("s1", "alice", 150)]);
        var now = Day0.AddDays(10);
        await _history.RollUpAsync(now);

        int deleted = await _history.PruneAsync(now, HistorySettings.Default with { SampleRetentionDays = 2, MinuteRetentionDays = 7 });

        Assert.True(deleted >= 2, $"deleted {deleted}");
        Assert.Empty(await _history.SeriesAsync(Agent, "alice", Granularity.Minute, Granularity.Minute, Day0, Day0.AddDays(1)));
        Assert.Single(await _history.SeriesAsync(Agent, "alice", Granularity.Minute, Granularity.Minute, Day0.AddDays(8), now));
        Assert.Equal(150, await TotalBytesInAsync("alice"));
    }

    [Fact]
    public async Task Pruning_never_removes_what_is_not_rolled_up_yet()
    {
        await _history.RecordAsync(Agent, Day0, [Sample("s1", "alice", 100)]);

        int deleted = await _history.PruneAsync(Day0.AddDays(30), HistorySettings.Default with { SampleRetentionDays = 1 });

        Assert.Equal(0, deleted);
        Assert.Equal(100, await TotalBytesInAsync("alice"));
    }

    [Fact]
    public async Task Day_rows_past_their_retention_are_removed()
    {
        await _history.RecordAsync(Agent, Day0, [Sample("s1", "alice", 100)]);
        await _history.RollUpAsync(Day0.AddDays(2));

        await _history.PruneAsync(Day0.AddDays(40), HistorySettings.Default with { DayRetentionDays = 30 });

        Assert.Empty(await _history.SeriesAsync(Agent, "alice", Granularity.Day, Granularity.Day, Day0, Day0.AddDays(40)));
    }

    [Fact]
    public async Task A_chart_includes_what_is_not_rolled_up_yet_without_counting_it_twice()
    {
        await _history.RecordAsync(Agent, Day0.AddHours(1).AddMinutes(5), [Sample("s1", "alice", 100)]);
        await _history.RollUpAsync(Day0.AddHours(1).AddMinutes(10));
        await _history.RecordAsync(Agent, Day0.AddHours(1).AddMinutes(20), [Sample("s1", "alice", 130)]);

        var hours = await _history.SeriesAsync(Agent, "alice", Granularity.Minute, Granularity.Hour, Day0, Day0.AddDays(1));
        var days = await _history.SeriesAsync(Agent, "alice", Granularity.Hour, Granularity.Day, Day0, Day0.AddDays(1));

        Assert.Equal(130, Assert.Single(hours).Traffic.BytesIn);
        Assert.Equal(130, Assert.Single(days).Traffic.BytesIn);
    }
}

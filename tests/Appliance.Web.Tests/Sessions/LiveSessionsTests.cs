using Appliance.Web.Agents;
using Appliance.Web.Sessions;
using Appliance.Web.Tests.AgentsSupport;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Web.Tests.Sessions;

public sealed class LiveSessionsTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly FakeAgent _agent = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero));
    private readonly AgentConnections _connections;
    private readonly LiveSessions _live;
    private readonly long _agentId;
    private readonly List<LiveSessionsView> _views = [];

    public LiveSessionsTests()
    {
        var store = new AgentStore(_db.Database, new EphemeralDataProtectionProvider());
        _connections = new AgentConnections(store, _ => _agent);
        _live = new LiveSessions(_connections, _time, NullLogger<LiveSessions>.Instance);
        _agentId = store.AddAsync("lab", new Uri("https://127.0.0.1:7443/"), "AA", "t", _time.GetUtcNow(), "admin").GetAwaiter().GetResult().Id;
        _agent.Sessions.Add(ThroughputTests.Session("0123456789abcdef", 100, 200));
    }

    public void Dispose()
    {
        _live.Dispose();
        _connections.Dispose();
        _db.Dispose();
    }

    private void Record(LiveSessionsView view)
    {
        lock (_views)
            _views.Add(view);
    }

    private LiveSessionsView[] Views()
    {
        lock (_views)
            return [.. _views];
    }

    private static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "gave up waiting for " + what);
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task A_down_agent_gives_a_view_naming_the_problem_instead_of_throwing()
    {
        _agent.IsDown = true;

        var snapshot = await _live.SnapshotAsync(_agentId);
        using var subscription = _live.Subscribe(_agentId, Record);
        await EventuallyAsync(() => Views().Length > 0, "a view");

        Assert.True(snapshot.IsDown);
        Assert.Contains("not reachable", snapshot.Problem, StringComparison.Ordinal);
        Assert.True(Views()[0].IsDown);
        Assert.Equal(_time.GetUtcNow(), Views()[0].ProblemSince);
    }

    [Fact]
    public async Task The_feed_reconnects_once_the_agent_is_back()
    {
        _agent.IsDown = true;
        using var subscription = _live.Subscribe(_agentId, Record);
        await EventuallyAsync(() => Views().Length == 1, "the first failure");

        _agent.IsDown = false;
        await SettleThenAdvanceAsync(LiveSessions.FirstRetry);
        await EventuallyAsync(() => Views().Any(v => !v.IsDown && v.Sessions.Count == 1), "sessions after the agent came back");

        Assert.Equal("0123456789abcdef", Views().First(v => !v.IsDown).Sessions[0].Id);
    }

    [Fact]
    public async Task Retries_wait_one_then_two_then_four_seconds_while_the_agent_stays_down()
    {
        _agent.IsDown = true;
        using var subscription = _live.Subscribe(_agentId, Record);
        await EventuallyAsync(() => Views().Length == 1, "the first failure");

        foreach (int seconds in new[] { 1, 2, 4 })
        {
            int before = Views().Length;
            await SettleThenAdvanceAsync(TimeSpan.FromSeconds(seconds) - TimeSpan.FromMilliseconds(1));
            await Task.Delay(200);
            Assert.Equal(before, Views().Length);
            _time.Advance(TimeSpan.FromMilliseconds(1));
            await EventuallyAsync(() => Views().Length == before + 1, $"the retry after {seconds} s");
        }
        Assert.All(Views(), v => Assert.True(v.IsDown));
    }

    // The feed registers its retry timer right after publishing; give it a moment before moving the clock.
    private async Task SettleThenAdvanceAsync(TimeSpan by)
    {
        await Task.Delay(200);
        _time.Advance(by);
    }

    [Fact]
    public async Task The_last_subscriber_leaving_closes_the_feed()
    {
        var first = _live.Subscribe(_agentId, Record);
        await EventuallyAsync(() => Views().Any(v => v.Sessions.Count == 1), "a first update");

        first.Dispose();
        int opened = _agent.StreamsOpened;
        _time.Advance(TimeSpan.FromMinutes(5));
        await Task.Delay(200);

        Assert.Equal(opened, _agent.StreamsOpened);
    }
}

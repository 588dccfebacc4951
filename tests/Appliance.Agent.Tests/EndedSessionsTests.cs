using System.Runtime.Versioning;
using Appliance.Agent;
using Appliance.Agent.Tunnel;
using Appliance.Contracts;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Agent.Tests;

[SupportedOSPlatform("linux")]
public sealed class EndedSessionsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Only_the_newest_sessions_of_each_client_are_kept_newest_first()
    {
        var ended = new EndedSessions(perClient: 2, _time);

        foreach (string id in new[] { "a1", "a2", "a3" })
        {
            ended.Remember(Session(id, "alice"), reason: null);
            _time.Advance(TimeSpan.FromSeconds(1));
        }
        ended.Remember(Session("b1", "bob"), "kicked");

        Assert.Equal(["a3", "a2"], ended.Snapshot("alice").Select(e => e.Last.Id));
        Assert.Equal(["b1", "a3", "a2"], ended.Snapshot().Select(e => e.Last.Id));
        Assert.Equal("kicked", Assert.Single(ended.Snapshot("bob")).Reason);
        Assert.Empty(ended.Snapshot("carol"));
    }

    [Fact]
    public void A_session_remembered_twice_is_kept_once_with_its_first_view()
    {
        var ended = new EndedSessions(perClient: 5, _time);

        ended.Remember(Session("a1", "alice"), "ping-restart");
        _time.Advance(TimeSpan.FromSeconds(1));
        ended.Remember(Session("a1", "alice"), reason: null);

        var kept = Assert.Single(ended.Snapshot());
        Assert.Equal("ping-restart", kept.Reason);
        Assert.Equal(_time.GetUtcNow() - TimeSpan.FromSeconds(1), kept.EndedAt);
    }

    [Fact]
    public void A_session_without_a_client_name_is_not_kept()
    {
        var ended = new EndedSessions(perClient: 5, _time);

        ended.Remember(Session("x1", null), reason: null);

        Assert.Empty(ended.Snapshot());
    }

    [Fact]
    public void Past_the_client_limit_the_client_whose_last_session_ended_longest_ago_is_forgotten()
    {
        var ended = new EndedSessions(perClient: 1, _time);
        for (int i = 0; i < EndedSessions.MaxClients; i++)
        {
            ended.Remember(Session($"s{i}", $"client{i}"), reason: null);
            _time.Advance(TimeSpan.FromSeconds(1));
        }
        ended.Remember(Session("s0b", "client0"), reason: null);
        _time.Advance(TimeSpan.FromSeconds(1));

        ended.Remember(Session("new", "newcomer"), reason: null);

        Assert.Equal(EndedSessions.MaxClients, ended.Snapshot().Count);
        Assert.Empty(ended.Snapshot("client1"));
        Assert.Equal(["s0b"], ended.Snapshot("client0").Select(e => e.Last.Id));
        Assert.Single(ended.Snapshot("newcomer"));
    }

    [Theory]
    [InlineData("3", 3, null)]
    [InlineData("0", null, "--ended-sessions-per-client '0' is not a number from 1 to 100")]
    [InlineData("many", null, "--ended-sessions-per-client 'many' is not a number from 1 to 100")]
    public void The_serve_flag_overrides_the_retention_key(string value, int? kept, string? error)
    {
        var (options, errors) = AgentOptions.Parse(["--ended-sessions-per-client", value]);

        Assert.Equal(kept, options?.EndedSessionsPerClient);
        Assert.Equal(error is null ? [] : [error], errors);
        if (kept is not null)
            Assert.Equal(value, options!.ToConfigOverrides()["tunnel:endedSessionsPerClient"]);
        Assert.False(AgentOptions.Parse([]).Options!.ToConfigOverrides().ContainsKey("tunnel:endedSessionsPerClient"));
        Assert.Equal(EndedSessions.DefaultPerClient, new TunnelConfigDto([], [], 1, 1, 3).EndedSessionsPerClient);
    }

    [Fact]
    public void A_session_forgotten_by_the_retention_takes_its_captures_along_and_a_lower_setting_forgets_at_once()
    {
        int perClient = 3;
        var forgotten = new List<string>();
        var ended = new EndedSessions(() => perClient, _time, view: null, forgotten.Add);
        foreach (string id in new[] { "a1", "a2", "a3", "a4" })
        {
            ended.Remember(Session(id, "alice"), reason: null);
            _time.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal(["a1"], forgotten);

        perClient = 1;
        ended.Trim();

        Assert.Equal(["a1", "a2", "a3"], forgotten);
        Assert.Equal(["a4"], ended.Snapshot().Select(e => e.Last.Id));
        Assert.Null(ended.Find("a2"));
        Assert.Equal("a4", ended.Find("A4")?.Last.Id);
    }

    [Fact]
    public void The_last_probe_of_a_live_session_is_kept_with_its_ended_view()
    {
        var ended = new EndedSessions(perClient: 5, _time);
        ended.RememberProbe(Probe("a1", "first"));
        ended.RememberProbe(Probe("a1", "second"));

        ended.Remember(Session("a1", "alice"), "kicked");
        ended.Remember(Session("a2", "alice"), "kicked");

        Assert.Equal("second", ended.Find("a1")!.Probe?.Summary);
        Assert.Null(ended.Find("a2")!.Probe);

        // A probe that finishes after its session ended still lands on the kept view.
        ended.RememberProbe(Probe("a2", "late"));
        Assert.Equal("late", ended.Find("a2")!.Probe?.Summary);
    }

    private static FrameSizeProbeDto Probe(string session, string summary) =>
        new(session, "alice", DateTimeOffset.UnixEpoch, 1, 10, 34, 1514, 34, null, "from-client", summary, []);

    private static SessionDto Session(string id, string? client) =>
        new(id, client, "192.0.2.1:1194", "udp", "AES-256-GCM", true, DateTimeOffset.UnixEpoch, null, 0, null, null, [], null, null, null);
}

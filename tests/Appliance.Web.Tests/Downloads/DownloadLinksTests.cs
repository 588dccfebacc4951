using Appliance.Web.Agents;
using Appliance.Web.Audit;
using Appliance.Web.Downloads;
using Appliance.Web.Tests.AgentsSupport;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Web.Tests.Downloads;

public sealed class DownloadLinksTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
    private readonly FakeAgent _agent = new();
    private readonly AgentConnections _connections;
    private readonly DownloadLinks _links;
    private readonly AuditLog _audit;
    private readonly PanelOperator _admin = new(new AuditActor("root", "10.0.0.1"), IsAdmin: true);
    private long _agentId;

    public DownloadLinksTests()
    {
        var store = new AgentStore(_db.Database, new EphemeralDataProtectionProvider());
        _connections = new AgentConnections(store, _ => _agent);
        _audit = new AuditLog(_db.Database, _time);
        _links = new DownloadLinks(new DownloadLinkStore(_db.Database), _connections, _audit, _time);
        _agentId = store.AddAsync("lab", new Uri("https://127.0.0.1:7443/"), "AA", "token", _time.GetUtcNow(), "root").GetAwaiter().GetResult().Id;
    }

    public void Dispose()
    {
        _connections.Dispose();
        _db.Dispose();
    }

    [Fact]
    public async Task Only_the_hash_of_the_token_is_stored()
    {
        var issued = await _links.CreateAsync(_admin, _agentId, "alice", "udp", "windows", DownloadLinks.DefaultValidity);

        await using var connection = await _db.Database.OpenAsync();
        var stored = await connection.QuerySingleAsync<string>("SELECT token_hash FROM download_links");
        Assert.Equal(DownloadToken.Hash(issued.Token), stored);
        Assert.DoesNotContain(issued.Token, stored, StringComparison.Ordinal);
        var dump = string.Join("|", await connection.QueryAsync<string>("SELECT token_hash || client_name || created_by FROM download_links"));
        Assert.DoesNotContain(issued.Token, dump, StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_carries_at_least_128_random_bits_and_tokens_differ()
    {
        string a = DownloadToken.New(), b = DownloadToken.New();

        Assert.True(DownloadToken.Bytes * 8 >= 128);
        Assert.True(DownloadToken.IsWellFormed(a));
        Assert.NotEqual(a, b);
    }

    [Fact]
    public async Task A_link_downloads_once_then_is_gone()
    {
        var issued = await _links.CreateAsync(_admin, _agentId, "alice", "tcp", "linux", DownloadLinks.DefaultValidity);

        var first = await _links.RedeemAsync(issued.Token, "192.0.2.7");
        var second = await _links.RedeemAsync(issued.Token, "192.0.2.7");

        Assert.Equal(DownloadLinkState.Usable, first.State);
        Assert.Contains("alice tcp linux", first.Profile!.Value.Content, StringComparison.Ordinal);
        Assert.Equal(DownloadLinkState.Gone, second.State);
        Assert.Null(second.Profile);
        Assert.Equal(1, _agent.ProfileRequests);
    }

    [Fact]
    public async Task A_link_past_its_expiry_is_gone_without_asking_the_agent()
    {
        var issued = await _links.CreateAsync(_admin, _agentId, "alice", "udp", "windows", TimeSpan.FromHours(2));

        _time.Advance(TimeSpan.FromHours(2));
        var redeemed = await _links.RedeemAsync(issued.Token, null);

        Assert.Equal(DownloadLinkState.Gone, redeemed.State);
        Assert.Equal(0, _agent.ProfileRequests);
    }

    [Fact]
    public async Task A_link_just_before_its_expiry_still_works()
    {
        var issued = await _links.CreateAsync(_admin, _agentId, "alice", "udp", "windows", TimeSpan.FromHours(2));

        _time.Advance(TimeSpan.FromHours(2) - TimeSpan.FromSeconds(1));

        Assert.Equal(DownloadLinkState.Usable, (await _links.RedeemAsync(issued.Token, null)).State);
    }

    [Fact]
    public async Task An_unknown_or_malformed_token_is_unknown()
    {
        Assert.Equal(DownloadLinkState.Unknown, (await _links.RedeemAsync(DownloadToken.New(), null)).State);
        Assert.Equal(DownloadLinkState.Unknown, (await _links.RedeemAsync("../../etc/passwd", null)).State);
    }

    [Fact]
    public async Task A_download_the_agent_could_not_serve_leaves_the_link_usable()
    {
        var issued = await _links.CreateAsync(_admin, _agentId, "alice", "udp", "windows", DownloadLinks.DefaultValidity);
        _agent.ProfileFails = true;

        await Assert.ThrowsAsync<Appliance.Contracts.AgentApiException>(() => _links.RedeemAsync(issued.Token, null));

        _agent.ProfileFails = false;
        Assert.Equal(DownloadLinkState.Usable, (await _links.RedeemAsync(issued.Token, null)).State);
    }

    [Fact]
    public async Task Creating_and_using_a_link_are_audited_without_the_token()
    {
        var issued = await _links.CreateAsync(_admin, _agentId, "alice", "udp", "macos", DownloadLinks.DefaultValidity);
        await _links.RedeemAsync(issued.Token, "192.0.2.9");

        var entries = await _audit.QueryAsync(new AuditQuery());
        Assert.Contains(entries, e => e.Action == AgentAuditActions.DownloadLinkCreated && e.UserName == "root" && e.Target == "alice");
        Assert.Contains(entries, e => e.Action == AgentAuditActions.DownloadLinkUsed && e.RemoteAddress == "192.0.2.9");
        Assert.DoesNotContain(entries, e => (e.Detail ?? "").Contains(issued.Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_viewer_cannot_create_a_link()
    {
        var viewer = new PanelOperator(new AuditActor("eve", null), IsAdmin: false);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => _links.CreateAsync(viewer, _agentId, "alice", "udp", "windows", DownloadLinks.DefaultValidity));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(24 * 31)]
    public async Task A_validity_outside_zero_to_thirty_days_is_refused(int hours)
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _links.CreateAsync(_admin, _agentId, "alice", "udp", "windows", TimeSpan.FromHours(hours)));
    }
}

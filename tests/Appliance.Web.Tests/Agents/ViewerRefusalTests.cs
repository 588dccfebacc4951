using Appliance.Web.Agents;
using Appliance.Web.Audit;
using Appliance.Web.Clients;
using Appliance.Web.Sessions;
using Appliance.Web.Tests.AgentsSupport;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Web.Tests.Agents;

/// <summary>The services refuse a viewer whatever the page showed: no call reaches the agent, nothing is audited.</summary>
public sealed class ViewerRefusalTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly FakeAgent _agent = new();
    private readonly AgentConnections _connections;
    private readonly AuditLog _audit;
    private readonly ClientCatalog _clients;
    private readonly SessionActions _sessions;
    private readonly AgentPairing _pairing;
    private readonly PanelOperator _viewer = new(new AuditActor("watcher", "10.0.0.9"), IsAdmin: false);
    private readonly long _agentId;

    public ViewerRefusalTests()
    {
        var time = new FakeTimeProvider();
        var store = new AgentStore(_db.Database, new EphemeralDataProtectionProvider());
        _connections = new AgentConnections(store, _ => _agent);
        _audit = new AuditLog(_db.Database, time);
        _clients = new ClientCatalog(_connections, new ClientTransportStore(_db.Database), _audit);
        _sessions = new SessionActions(_connections, _audit);
        _pairing = new AgentPairing(store, _connections, (_, _, _) => Task.FromResult("AA"), _audit, time);
        _agentId = store.AddAsync("lab", new Uri("https://127.0.0.1:7443/"), "AA", "t", time.GetUtcNow(), "admin").GetAwaiter().GetResult().Id;
        _agent.Clients.Add(FakeAgent.Client("alice"));
    }

    public void Dispose()
    {
        _connections.Dispose();
        _db.Dispose();
    }

    public static TheoryData<string> Actions() =>
        ["issue", "disable", "enable", "concurrent", "revoke", "renew", "transport", "profile", "kick", "capture", "stop-capture", "capture-file", "pair", "unpair"];

    [Theory]
    [MemberData(nameof(Actions))]
    public async Task Viewer_is_refused_and_nothing_reaches_the_agent(string action)
    {
        Task act = action switch
        {
            "issue" => _clients.IssueAsync(_viewer, _agentId, "bob", null, "udp"),
            "disable" => _clients.DisableAsync(_viewer, _agentId, "alice"),
            "enable" => _clients.EnableAsync(_viewer, _agentId, "alice"),
            "concurrent" => _clients.SetConcurrentAsync(_viewer, _agentId, "alice", allowed: true),
            "revoke" => _clients.RevokeAsync(_viewer, _agentId, "alice"),
            "renew" => _clients.RenewAsync(_viewer, _agentId, "alice", null),
            "transport" => _clients.SetTransportAsync(_viewer, _agentId, "alice", "tcp"),
            "profile" => _clients.DownloadProfileAsync(_viewer, _agentId, "alice", "udp", "linux"),
            "kick" => _sessions.KickAsync(_viewer, _agentId, "0123456789abcdef", "alice"),
            "capture" => _sessions.StartCaptureAsync(_viewer, _agentId, "0123456789abcdef", keepCredentials: false),
            "stop-capture" => _sessions.StopCaptureAsync(_viewer, _agentId, "c1"),
            "capture-file" => _sessions.DownloadCaptureAsync(_viewer, _agentId, "c1"),
            "pair" => _pairing.PairAsync(_viewer, "other", "https://10.0.0.5:7443/", "token"),
            "unpair" => _pairing.UnpairAsync(_viewer, _agentId),
            _ => throw new ArgumentOutOfRangeException(nameof(action)),
        };

        var refusal = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => act);

        Assert.Contains("watcher", refusal.Message, StringComparison.Ordinal);
        Assert.Empty(_agent.Requests);
        Assert.Empty(await _audit.QueryAsync(new AuditQuery()));
    }

    [Fact]
    public async Task Admin_lets_a_client_connect_from_several_machines_and_it_is_audited()
    {
        var admin = new PanelOperator(new AuditActor("root", "10.0.0.1"), IsAdmin: true);

        var client = await _clients.SetConcurrentAsync(admin, _agentId, "alice", allowed: true);

        Assert.True(client.AllowConcurrent);
        Assert.Contains("PUT /api/v1/clients/alice/concurrent", _agent.Requests);
        var entry = Assert.Single(await _audit.QueryAsync(new AuditQuery()));
        Assert.Equal((AgentAuditActions.ClientConcurrentChanged, "alice", "several machines at once"), (entry.Action, entry.Target, entry.Detail));
    }

    [Fact]
    public async Task Admin_revoke_reaches_the_agent_and_is_audited()
    {
        var admin = new PanelOperator(new AuditActor("root", "10.0.0.1"), IsAdmin: true);

        var client = await _clients.RevokeAsync(admin, _agentId, "alice");

        Assert.Equal("revoked", client.Status);
        Assert.Contains("POST /api/v1/clients/alice/revoke", _agent.Requests);
        var entry = Assert.Single(await _audit.QueryAsync(new AuditQuery()));
        Assert.Equal((AgentAuditActions.ClientRevoked, "alice", "root", "10.0.0.1"), (entry.Action, entry.Target, entry.UserName, entry.RemoteAddress));
    }
}

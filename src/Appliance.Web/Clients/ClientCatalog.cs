using Appliance.Contracts;
using Appliance.Web.Agents;
using Appliance.Web.Audit;

namespace Appliance.Web.Clients;

/// <summary>Lists and changes an agent's clients; every change is refused for a viewer and audited for an admin.</summary>
public sealed class ClientCatalog(AgentConnections connections, ClientTransportStore transports, AuditLog audit)
{
    public async Task<IReadOnlyList<ClientRow>> ListAsync(long agentId, CancellationToken ct = default)
    {
        var agent = await connections.GetAsync(agentId);
        var clients = await agent.GetClientsAsync(ct);
        var chosen = await transports.ReadAsync(agentId);
        return clients
            .Select(c => new ClientRow(c, chosen.TryGetValue(c.Name, out var t) ? t : ClientTransportStore.DefaultTransport))
            .ToList();
    }

    public async Task<ClientDto> IssueAsync(PanelOperator by, long agentId, string name, DateTimeOffset? expiresAt, string transport, CancellationToken ct = default)
    {
        by.RequireAdmin("create a client");
        ProfileChoice.RequireTransport(transport);
        var agent = await connections.GetAsync(agentId);
        var client = await agent.IssueClientAsync(new IssueClientRequest(name.Trim(), expiresAt), ct);
        await transports.SetAsync(agentId, client.Name, transport);
        await audit.RecordAsync(by.Actor, AgentAuditActions.ClientIssued, client.Name, $"expires {client.ExpiresAt:yyyy-MM-dd}, {transport}");
        return client;
    }

    public async Task SetTransportAsync(PanelOperator by, long agentId, string name, string transport)
    {
        by.RequireAdmin("change a client's transport");
        await transports.SetAsync(agentId, name, transport);
        await audit.RecordAsync(by.Actor, AgentAuditActions.ClientTransportChanged, name, transport);
    }

    public Task<ClientDto> DisableAsync(PanelOperator by, long agentId, string name, CancellationToken ct = default) =>
        ActAsync(by, agentId, name, "disable a client", AgentAuditActions.ClientDisabled, (a, n) => a.DisableClientAsync(n, ct));

    public Task<ClientDto> EnableAsync(PanelOperator by, long agentId, string name, CancellationToken ct = default) =>
        ActAsync(by, agentId, name, "enable a client", AgentAuditActions.ClientEnabled, (a, n) => a.EnableClientAsync(n, ct));

    /// <summary>Lets the client hold several sessions at once (one profile on several machines), or returns it to one:
    /// then a new session replaces the older, whose client is told why and stops.</summary>
    public async Task<ClientDto> SetConcurrentAsync(PanelOperator by, long agentId, string name, bool allowed, CancellationToken ct = default)
    {
        by.RequireAdmin("change how many machines a client may connect from");
        var agent = await connections.GetAsync(agentId);
        var client = await agent.SetConcurrentSessionsAsync(name, allowed, ct);
        await audit.RecordAsync(by.Actor, AgentAuditActions.ClientConcurrentChanged, name, allowed ? "several machines at once" : "one machine at a time");
        return client;
    }

    /// <summary>Irreversible; the agent closes the client's live sessions at once.</summary>
    public Task<ClientDto> RevokeAsync(PanelOperator by, long agentId, string name, CancellationToken ct = default) =>
        ActAsync(by, agentId, name, "revoke a client", AgentAuditActions.ClientRevoked, (a, n) => a.RevokeClientAsync(n, ct));

    public Task<ClientDto> RenewAsync(PanelOperator by, long agentId, string name, DateTimeOffset? expiresAt, CancellationToken ct = default) =>
        ActAsync(by, agentId, name, "renew a client", AgentAuditActions.ClientRenewed, (a, n) => a.RenewClientAsync(n, new RenewClientRequest(expiresAt), ct));

    /// <summary>The profile file for an admin to download directly; audited.</summary>
    public async Task<(string FileName, string Content)> DownloadProfileAsync(PanelOperator by, long agentId, string name, string transport, string platform, CancellationToken ct = default)
    {
        by.RequireAdmin("download a client's profile");
        var agent = await connections.GetAsync(agentId);
        var profile = await agent.GetProfileAsync(name, ProfileChoice.RequireTransport(transport), ProfileChoice.RequirePlatform(platform), ct);
        await audit.RecordAsync(by.Actor, AgentAuditActions.ProfileDownloaded, name, $"{transport}, {platform}");
        return profile;
    }

    public async Task<ProfileNotesDto> GetNotesAsync(long agentId, string platform, CancellationToken ct = default)
    {
        var agent = await connections.GetAsync(agentId);
        return await agent.GetProfileNotesAsync(ProfileChoice.RequirePlatform(platform), ct);
    }

    private async Task<ClientDto> ActAsync(PanelOperator by, long agentId, string name, string what, string action, Func<AgentApiClient, string, Task<ClientDto>> call)
    {
        by.RequireAdmin(what);
        var agent = await connections.GetAsync(agentId);
        var client = await call(agent, name);
        await audit.RecordAsync(by.Actor, action, name, $"status {client.Status}");
        return client;
    }
}

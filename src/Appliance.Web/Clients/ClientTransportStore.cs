using Appliance.Web.Data;
using Dapper;

namespace Appliance.Web.Clients;

/// <summary>The panel-side default transport of each client (the agent knows nothing of it; it picks the profile offered first).</summary>
public sealed class ClientTransportStore(PanelDatabase database)
{
    private const string SelectForAgent = "SELECT client_name AS Name, transport AS Transport FROM client_options WHERE agent_id = @agentId";
    private const string Upsert =
        "INSERT INTO client_options (agent_id, client_name, transport) VALUES (@agentId, @name, @transport) " +
        "ON CONFLICT(agent_id, client_name) DO UPDATE SET transport = excluded.transport";

    public const string DefaultTransport = "udp";

    public async Task<IReadOnlyDictionary<string, string>> ReadAsync(long agentId)
    {
        await using var connection = await database.OpenAsync();
        var rows = await connection.QueryAsync<(string Name, string Transport)>(SelectForAgent, new { agentId });
        return rows.ToDictionary(r => r.Name, r => r.Transport, StringComparer.Ordinal);
    }

    public async Task<string> ReadAsync(long agentId, string name) =>
        (await ReadAsync(agentId)).TryGetValue(name, out var transport) ? transport : DefaultTransport;

    public async Task SetAsync(long agentId, string name, string transport)
    {
        ProfileChoice.RequireTransport(transport);
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync(Upsert, new { agentId, name, transport });
    }
}

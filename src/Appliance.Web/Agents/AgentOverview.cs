using Appliance.Contracts;

namespace Appliance.Web.Agents;

/// <summary>One paired agent on the overview: its health and switch ports, or why they could not be read.</summary>
public sealed record AgentOverviewRow(PairedAgent Agent, AgentHealthDto? Health, IReadOnlyList<PortStatus> Ports, string? Problem);

/// <summary>Reads every paired agent's health and ports for the overview page; an agent that fails is a row with its problem, never an exception.</summary>
public sealed class AgentOverview(AgentStore agents, AgentConnections connections)
{
    public async Task<IReadOnlyList<AgentOverviewRow>> ReadAsync(CancellationToken cancellationToken)
    {
        var paired = await agents.ListAsync();
        var rows = new AgentOverviewRow[paired.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, paired.Count), cancellationToken, async (i, ct) => rows[i] = await ReadOneAsync(paired[i], ct));
        return rows;
    }

    private async Task<AgentOverviewRow> ReadOneAsync(PairedAgent agent, CancellationToken cancellationToken)
    {
        try
        {
            var client = await connections.GetAsync(agent.Id);
            var health = await client.GetHealthAsync(cancellationToken);
            var ports = await client.GetPortsAsync(cancellationToken);
            return new AgentOverviewRow(agent, health, ports, null);
        }
        catch (AgentApiException e)
        {
            return new AgentOverviewRow(agent, null, [], e.Message);
        }
        catch (AgentNotPairedException e)
        {
            return new AgentOverviewRow(agent, null, [], e.Message);
        }
    }
}

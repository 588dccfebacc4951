using Appliance.Contracts;
using Appliance.Web.Audit;

namespace Appliance.Web.Agents;

/// <summary>Proves an agent holds a pairing token and returns the certificate fingerprint to pin (the agent's real proof by default).</summary>
public delegate Task<string> AgentPairingProof(Uri url, string token, CancellationToken cancellationToken);

/// <summary>Pairs and unpairs agents: proof first, then the pinned fingerprint and the protected token are stored, then audited.</summary>
public sealed class AgentPairing(AgentStore agents, AgentConnections connections, AgentPairingProof proof, AuditLog audit, TimeProvider time)
{
    public async Task<PairedAgent> PairAsync(PanelOperator by, string name, string url, string token, CancellationToken cancellationToken = default)
    {
        by.RequireAdmin("pair an agent");
        var errors = new List<string>();
        name = name?.Trim() ?? "";
        token = token?.Trim() ?? "";
        if (name.Length is 0 or > 64)
            errors.Add("name: 1 to 64 characters");
        if (!Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var address) || address.Scheme is not ("https" or "http"))
            errors.Add($"URL '{url}': an absolute https URL of the agent's API, e.g. https://10.0.0.5:7443/");
        if (token.Length == 0)
            errors.Add("pairing token: empty; copy it from the agent (appliance-agent token)");
        if (errors.Count > 0)
            throw new AgentPairingException("cannot pair: " + string.Join("; ", errors));

        string fingerprint;
        try
        {
            fingerprint = await proof(address!, token, cancellationToken);
        }
        catch (AgentApiException e)
        {
            throw new AgentPairingException(e.Message, e);
        }
        var agent = await agents.AddAsync(name, address!, fingerprint, token, time.GetUtcNow(), by.Actor.UserName);
        await audit.RecordAsync(by.Actor, AgentAuditActions.AgentPaired, $"{name} ({address})", $"certificate {fingerprint}");
        return agent;
    }

    public async Task UnpairAsync(PanelOperator by, long agentId)
    {
        by.RequireAdmin("unpair an agent");
        var agent = await agents.FindAsync(agentId) ?? throw new AgentNotPairedException(agentId);
        await agents.RemoveAsync(agentId);
        connections.Forget(agentId);
        await audit.RecordAsync(by.Actor, AgentAuditActions.AgentUnpaired, $"{agent.Name} ({agent.Url})");
    }
}

using System.Net;
using Appliance.Contracts;
using Appliance.Web.Agents;

namespace Appliance.Web.Sessions;

/// <summary>One ended session as History lists it: which agent keeps it, and the kept view.</summary>
public sealed record EndedSessionRow(PairedAgent Agent, EndedSessionDto Ended)
{
    public string Client => Ended.Last.CommonName ?? "";

    /// <summary>The most severe finding of its last view; null when it had none.</summary>
    public PppoeFindingDto? WorstFinding => Worst(Ended);

    public static PppoeFindingDto? Worst(EndedSessionDto ended) =>
        ended.Last.Pppoe?.Findings.OrderByDescending(f => Rank(f.Severity)).FirstOrDefault();

    private static int Rank(string severity) => severity switch
    {
        "error" => 2,
        "warning" => 1,
        _ => 0,
    };
}

/// <summary>The ended sessions the agents keep (their last view, findings, probe and captures), read through <see cref="AgentApiClient"/>.</summary>
public sealed class EndedSessionCatalog(AgentConnections connections, AgentStore agents)
{
    /// <summary>The kept view of one ended session; null when the agent does not keep it (never ended, or forgotten).</summary>
    public async Task<EndedSessionDto?> FindAsync(long agentId, string sessionId, CancellationToken ct = default)
    {
        var agent = await connections.GetAsync(agentId);
        try
        {
            return await agent.GetEndedSessionAsync(sessionId, ct);
        }
        catch (AgentApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>The newest kept session of a client on one agent; null when none is kept.</summary>
    public async Task<EndedSessionDto?> LastOfAsync(long agentId, string client, CancellationToken ct = default)
    {
        var agent = await connections.GetAsync(agentId);
        return (await agent.GetEndedSessionsAsync(client, ct)).MaxBy(e => e.EndedAt);
    }

    /// <summary>Each client's newest kept session on one agent, by client name.</summary>
    public async Task<IReadOnlyDictionary<string, EndedSessionDto>> LastPerClientAsync(long agentId, CancellationToken ct = default)
    {
        var agent = await connections.GetAsync(agentId);
        var last = new Dictionary<string, EndedSessionDto>(StringComparer.Ordinal);
        foreach (var ended in await agent.GetEndedSessionsAsync(null, ct))
        {
            if (ended.Last.CommonName is { } client && (!last.TryGetValue(client, out var kept) || ended.EndedAt > kept.EndedAt))
                last[client] = ended;
        }
        return last;
    }

    /// <summary>Every kept session of every paired agent, newest first, and one problem line per agent that could not answer.</summary>
    public async Task<(IReadOnlyList<EndedSessionRow> Rows, IReadOnlyList<string> Problems)> AcrossAgentsAsync(CancellationToken ct = default)
    {
        var rows = new List<EndedSessionRow>();
        var problems = new List<string>();
        foreach (var paired in await agents.ListAsync())
        {
            try
            {
                var agent = await connections.GetAsync(paired.Id);
                foreach (var ended in await agent.GetEndedSessionsAsync(null, ct))
                    rows.Add(new EndedSessionRow(paired, ended));
            }
            catch (Exception e) when (e is AgentApiException or AgentNotPairedException)
            {
                problems.Add($"{paired.Name}: {e.Message}");
            }
        }
        rows.Sort((a, b) => b.Ended.EndedAt.CompareTo(a.Ended.EndedAt));
        return (rows, problems);
    }
}

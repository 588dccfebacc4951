using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Appliance.Contracts;

namespace Appliance.Web.Agents;

/// <summary>Builds the HTTP handler that reaches one agent; the default trusts only the pinned certificate. Tests substitute a fake agent.</summary>
public delegate HttpMessageHandler AgentHandlerFactory(AgentEndpoint endpoint);

/// <summary>
/// Hands out a pinned <see cref="AgentApiClient"/> per paired agent: one HttpClient (and connection pool) per agent, built on
/// first use and reused until the agent is unpaired.
/// </summary>
public sealed class AgentConnections(AgentStore agents, AgentHandlerFactory handlers) : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<long, Lazy<Connection>> _connections = new();

    /// <summary>The client of a paired agent; throws <see cref="AgentNotPairedException"/> when no agent has that id.</summary>
    public async Task<AgentApiClient> GetAsync(long agentId)
    {
        if (_connections.TryGetValue(agentId, out var existing))
            return existing.Value.Client;
        var secret = await agents.FindSecretAsync(agentId) ?? throw new AgentNotPairedException(agentId);
        var created = _connections.GetOrAdd(agentId, _ => new Lazy<Connection>(() => Connect(secret.Endpoint)));
        return created.Value.Client;
    }

    /// <summary>Drops an agent's client (after unpairing); the next <see cref="GetAsync"/> reads the store again.</summary>
    public void Forget(long agentId)
    {
        if (_connections.TryRemove(agentId, out var connection) && connection.IsValueCreated)
            connection.Value.Http.Dispose();
    }

    public void Dispose()
    {
        foreach (var id in _connections.Keys)
            Forget(id);
    }

    private Connection Connect(AgentEndpoint endpoint)
    {
        var http = new HttpClient(handlers(endpoint)) { BaseAddress = endpoint.BaseAddress, Timeout = RequestTimeout };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", endpoint.Token);
        return new Connection(http, new AgentApiClient(http));
    }

    private sealed record Connection(HttpClient Http, AgentApiClient Client);
}

/// <summary>No paired agent has the id asked for (it was unpaired meanwhile, or the link is stale).</summary>
public sealed class AgentNotPairedException : Exception
{
    public AgentNotPairedException() : this("no such agent is paired") { }

    public AgentNotPairedException(long agentId) : this($"no agent with id {agentId} is paired; pair it on the Agents page") { }

    public AgentNotPairedException(string message) : base(message) { }

    public AgentNotPairedException(string message, Exception inner) : base(message, inner) { }
}

using Appliance.Contracts;
using Appliance.Web.Clients;
using Appliance.Web.Downloads;
using Appliance.Web.History;
using Appliance.Web.Sessions;

namespace Appliance.Web.Agents;

public static class AgentsRegistration
{
    /// <summary>
    /// Paired agents and everything that talks to them: pinned connections, pairing (and auto-pairing the local agent named by
    /// <c>Agent:LocalAccessFile</c>), clients, one-time download links, live sessions, and the history sampler.
    /// </summary>
    public static WebApplicationBuilder AddPanelAgents(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<LocalAgentOptions>(builder.Configuration.GetSection(LocalAgentOptions.Section));
        services.Configure<DownloadRateLimitOptions>(builder.Configuration.GetSection(DownloadRateLimitOptions.Section));
        services.AddSingleton<AgentHandlerFactory>(_ => endpoint => AgentApiClient.CreatePinnedHandler(endpoint.Fingerprint));
        services.AddSingleton<AgentPairingProof>(_ => AgentApiClient.PairAsync);
        services.AddSingleton<AgentStore>();
        services.AddSingleton<AgentConnections>();
        services.AddSingleton<AgentPairing>();
        services.AddSingleton<AgentDialAddress>();
        services.AddSingleton<AgentOverview>();
        services.AddSingleton<ClientTransportStore>();
        services.AddSingleton<ClientCatalog>();
        services.AddSingleton<DownloadLinkStore>();
        services.AddSingleton<DownloadLinks>();
        services.AddSingleton<LiveSessions>();
        services.AddSingleton<SessionActions>();
        services.AddSingleton<EndedSessionCatalog>();
        services.AddSingleton<HistoryStore>();
        services.AddHostedService<LocalAgentAutoPair>();
        services.AddHostedService<HistorySampler>();
        return builder;
    }
}

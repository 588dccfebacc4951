using Appliance.Web.Agents;
using Appliance.Web.Tests.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Web.Tests.AgentsSupport;

/// <summary>The panel in-process with every paired agent answered by one <see cref="FakeAgent"/>.</summary>
public sealed class AgentPanelFactory : PanelFactory
{
    public FakeAgent Agent { get; } = new();

    /// <summary>Pairs the fake agent straight into the store (the pairing proof itself is the end-to-end test's).</summary>
    public async Task<long> PairAgentAsync(string name = "lab")
    {
        var store = Services.GetRequiredService<AgentStore>();
        var agent = await store.AddAsync(name, new Uri($"https://{name}.invalid:7443/"), "AA:BB", "pairing-token", Clock.GetUtcNow(), "admin");
        return agent.Id;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<AgentHandlerFactory>(_ => _ => Agent));
    }
}

using System.Net;
using Appliance.Web.Tests.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Web.Tests.Browser;

/// <summary>The panel served by Kestrel on 127.0.0.1 (a free port) over a temporary data directory, for a real browser.</summary>
public sealed class KestrelPanel : PanelFactory
{
    /// <param name="agent">When given, every paired agent is answered by it.</param>
    public KestrelPanel(AgentsSupport.FakeAgent? agent = null)
    {
        Agent = agent;
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseUrl = addresses.First().TrimEnd('/');
    }

    public AgentsSupport.FakeAgent? Agent { get; }

    /// <summary>Like <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl { get; }

    public string Url(string path) => BaseUrl + path;

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        if (Agent is { } agent)
            builder.ConfigureServices(services => services.AddSingleton<Appliance.Web.Agents.AgentHandlerFactory>(_ => _ => agent));
    }
}

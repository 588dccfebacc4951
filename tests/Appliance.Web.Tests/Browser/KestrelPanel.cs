using System.Net;
using Appliance.Web.Agents;
using Appliance.Web.Tests.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Web.Tests.Browser;

/// <summary>The panel served by Kestrel on 127.0.0.1 (a free port) over a temporary data directory, for a real browser.</summary>
public sealed class KestrelPanel : PanelFactory
{
    private readonly HttpMessageHandler? _agent;

    /// <param name="agent">When given, answers every paired agent's API (the in-memory stand-in <c>FakeAgent</c>).</param>
    public KestrelPanel(HttpMessageHandler? agent = null)
    {
        _agent = agent;
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseUrl = addresses.First().TrimEnd('/');
    }

    /// <summary>Like <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl { get; }

    public string Url(string path) => BaseUrl + path;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        if (_agent is { } agent)
            builder.ConfigureServices(services => services.AddSingleton<AgentHandlerFactory>(_ => _ => agent));
    }
}

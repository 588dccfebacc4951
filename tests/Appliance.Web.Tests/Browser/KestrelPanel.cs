using System.Net;
using Appliance.Web.Tests.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Web.Tests.Browser;

/// <summary>The panel served by Kestrel on 127.0.0.1 (a free port) over a temporary data directory, for a real browser.</summary>
public sealed class KestrelPanel : PanelFactory
{
    public KestrelPanel()
    {
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseUrl = addresses.First().TrimEnd('/');
    }

    /// <summary>Like <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl { get; }

    public string Url(string path) => BaseUrl + path;
}

using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Web.Tests.Http;

/// <summary>
/// Every route of the app, read from its endpoint data source (so a page or endpoint added later is covered without
/// touching this test), requested without signing in: each must refuse (sign-in redirect, 401 or 403), except the sign-in
/// pages, setup while no admin exists, and one-time download links under <c>/d/</c>.
/// </summary>
public sealed partial class RouteCrawlTests : IDisposable
{
    private readonly PanelFactory _panel = new();

    public void Dispose() => _panel.Dispose();

    [Fact]
    public async Task With_an_admin_every_route_refuses_an_anonymous_visitor_but_sign_in_and_download_links()
    {
        (await _panel.SetUpAsync()).Dispose();
        var open = await CrawlAsync();
        Assert.All(open, route => Assert.True(IsSignIn(route) || IsDownloadLink(route), $"{route} is open to anyone"));
        Assert.Contains(open, r => r.EndsWith(" /login", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Before_setup_only_setup_sign_in_and_download_links_are_open()
    {
        var open = await CrawlAsync();
        Assert.All(open, route => Assert.True(IsSignIn(route) || IsSetup(route) || IsDownloadLink(route), $"{route} is open to anyone"));
        Assert.Contains(open, r => r.EndsWith(" /setup", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_crawl_sees_the_panels_pages_and_endpoints()
    {
        var routes = Routes().Select(r => r.Display).ToList();
        Assert.Contains("GET /users", routes);
        Assert.Contains("GET /admin/database/backup", routes);
        Assert.Contains("POST /account/sign-out", routes);
        Assert.Contains(routes, r => r.Contains("/_blazor", StringComparison.Ordinal));
        await Task.CompletedTask;
    }

    /// <summary>The routes that answered an anonymous request with anything but a refusal, as "METHOD /path".</summary>
    private async Task<List<string>> CrawlAsync()
    {
        var open = new List<string>();
        var routes = Routes();
        Assert.True(routes.Count > 10, $"only {routes.Count} routes found");
        foreach (var route in routes)
        {
            using var client = _panel.NewClient();
            using var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Path);
            if (route.Method is "POST" or "PUT" or "PATCH")
                request.Content = new FormUrlEncodedContent(new Dictionary<string, string>());
            var response = await client.Http.SendAsync(request);
            if (!PanelFixtures.IsRefusal(response))
                open.Add($"{route.Display} -> {(int)response.StatusCode}");
        }
        return open.Select(o => o[..o.IndexOf(" -> ", StringComparison.Ordinal)]).ToList();
    }

    private sealed record Route(string Method, string Path, string Pattern)
    {
        public string Display => $"{Method} {Pattern}";
    }

    private List<Route> Routes()
    {
        var routes = new List<Route>();
        foreach (var source in _panel.Services.GetServices<EndpointDataSource>())
        {
            foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>())
            {
                // Stylesheets, scripts and fonts are public by design (the sign-in page needs them); they hold no data.
                if (endpoint.Metadata.Any(m => m.GetType().Name == "StaticAssetDescriptor"))
                    continue;
                string pattern = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
                var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"];
                foreach (string method in methods.Where(m => m != "OPTIONS" && m != "HEAD"))
                    routes.Add(new Route(method, Fill(endpoint.RoutePattern, pattern), pattern));
            }
        }
        return routes.DistinctBy(r => r.Display).ToList();
    }

    /// <summary>A concrete path for a pattern: route values that satisfy their constraints.</summary>
    private static string Fill(RoutePattern routePattern, string pattern) => Parameter().Replace(pattern, match =>
    {
        var parameter = routePattern.GetParameter(match.Groups[1].Value);
        bool numeric = parameter?.ParameterPolicies.Any(p => p.Content is "int" or "long") == true;
        return numeric ? "404" : "some-value";
    });

    private static bool IsSignIn(string route) => route is "GET /login" or "POST /login" or "GET /login/code" or "POST /login/code";

    private static bool IsSetup(string route) => route is "GET /setup" or "POST /setup" or "POST /setup/restore";

    private static bool IsDownloadLink(string route) => route.Split(' ')[1].StartsWith("/d/", StringComparison.Ordinal);

    [GeneratedRegex(@"\{\**([A-Za-z0-9_]+)[^}]*\}")]
    private static partial Regex Parameter();
}

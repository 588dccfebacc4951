using System.Net;
using Appliance.Web.Audit;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Web.Tests.Http;

/// <summary>The panel behind a TLS reverse proxy: forwarded headers count only when the connection comes from a configured proxy.</summary>
public sealed class ReverseProxyTests : IDisposable
{
    private const string Proxy = "10.0.0.5";
    private const string Outsider = "198.51.100.9";
    private readonly PanelFactory _panel = new();

    public ReverseProxyTests() => _panel.Settings["Panel:ReverseProxy:KnownProxies:0"] = Proxy;

    public void Dispose() => _panel.Dispose();

    private static void Through(PanelClient client, string connection, string? forwardedFor, string? proto = "https")
    {
        var headers = client.Http.DefaultRequestHeaders;
        headers.Remove(ConnectionAddressFilter.HeaderName);
        headers.Remove("X-Forwarded-For");
        headers.Remove("X-Forwarded-Proto");
        headers.Add(ConnectionAddressFilter.HeaderName, connection);
        if (forwardedFor is not null)
            headers.Add("X-Forwarded-For", forwardedFor);
        if (proto is not null)
            headers.Add("X-Forwarded-Proto", proto);
    }

    private static string AuthCookie(HttpResponseMessage response) =>
        response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("panel.auth=", StringComparison.Ordinal));

    [Fact]
    public async Task Through_the_configured_proxy_the_cookie_is_secure_hsts_is_sent_and_the_audit_sees_the_client()
    {
        using var client = _panel.NewClient();
        Through(client, Proxy, "203.0.113.7");

        var setup = await client.SetupAsync();
        var page = await client.GetAsync("/login");

        Assert.Contains("secure", AuthCookie(setup), StringComparison.OrdinalIgnoreCase);
        Assert.True(page.Headers.Contains("Strict-Transport-Security"), "no HSTS behind the proxy");
        var entries = await _panel.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery(Action: AuditActions.SetupCompleted));
        Assert.Equal("203.0.113.7", Assert.Single(entries).RemoteAddress);
    }

    [Fact]
    public async Task From_any_other_address_the_forwarded_headers_are_ignored()
    {
        using var client = _panel.NewClient();
        Through(client, Outsider, "203.0.113.7");

        var setup = await client.SetupAsync();
        var page = await client.GetAsync("/login");

        Assert.DoesNotContain("secure", AuthCookie(setup), StringComparison.OrdinalIgnoreCase);
        Assert.False(page.Headers.Contains("Strict-Transport-Security"), "HSTS on plain http from a non-proxy");
        var entries = await _panel.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery(Action: AuditActions.SetupCompleted));
        Assert.Equal(Outsider, Assert.Single(entries).RemoteAddress);
    }

    [Fact]
    public async Task Sign_in_limit_counts_each_client_behind_the_proxy_apart()
    {
        _panel.Settings["Panel:Lockout:PostsPerMinutePerAddress"] = "2";
        (await _panel.SetUpAsync()).Dispose();
        using var client = _panel.NewClient();

        var statuses = new List<HttpStatusCode>();
        foreach (string address in new[] { "203.0.113.7", "203.0.113.7", "203.0.113.7", "203.0.113.8" })
        {
            Through(client, Proxy, address);
            statuses.Add((await client.SignInAsync("nobody", "whatever it is")).StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.OK], statuses);
    }

    [Fact]
    public void A_proxy_that_is_not_an_address_is_refused_at_start()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            Appliance.Web.Security.ReverseProxy.Build(new Appliance.Web.Security.ReverseProxyOptions { KnownProxies = ["proxy.example"] }));
        Assert.Contains("'proxy.example'", error.Message, StringComparison.Ordinal);
    }
}

using System.Net;

namespace Appliance.Web.Tests.Http;

/// <summary>Antiforgery on every form post, the response headers of every answer, and the cookie's flags.</summary>
public sealed class FormProtectionTests : IDisposable
{
    private readonly PanelFactory _panel = new();

    public void Dispose() => _panel.Dispose();

    [Fact]
    public async Task Sign_in_post_without_antiforgery_token_is_refused()
    {
        (await _panel.SetUpAsync()).Dispose();
        using var client = _panel.NewClient();
        await client.GetAsync("/login");
        var response = await client.Http.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["Input.UserName"] = PanelClient.AdminName,
            ["Input.Password"] = PanelClient.AdminPassword,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(response.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith("panel.auth=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Setup_post_without_antiforgery_token_is_refused()
    {
        using var client = _panel.NewClient();
        var response = await client.Http.PostAsync("/setup", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "setup",
            ["Input.UserName"] = "admin",
            ["Input.Password"] = PanelClient.AdminPassword,
            ["Input.ConfirmPassword"] = PanelClient.AdminPassword,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("/account/sign-out")]
    [InlineData("/account/sign-out-everywhere")]
    [InlineData("/preferences/theme")]
    [InlineData("/preferences/culture")]
    public async Task Signed_in_post_without_antiforgery_token_is_refused(string path)
    {
        using var admin = await _panel.SetUpAsync();
        var response = await admin.Http.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string> { ["theme"] = "dark", ["culture"] = "en" }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task A_token_of_another_browser_is_refused()
    {
        using var admin = await _panel.SetUpAsync();
        using var stranger = _panel.NewClient();
        string strangersToken = await stranger.ReadTokenAsync("/login");
        var response = await admin.Http.PostAsync("/account/sign-out-everywhere",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = strangersToken }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("/login")]
    [InlineData("/")]
    public async Task Every_answer_carries_the_security_headers(string path)
    {
        (await _panel.SetUpAsync()).Dispose();
        using var client = _panel.NewClient();
        var response = await client.GetAsync(path);
        string csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "HSTS over plain http would be ignored and is not sent");
    }

    [Fact]
    public async Task Over_https_hsts_is_sent_and_the_cookie_is_secure()
    {
        using var client = _panel.NewClient(https: true);
        var setup = await client.SetupAsync();
        PanelFixtures.AssertRedirect(setup, "/");
        Assert.Contains("max-age=", setup.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
        string cookie = setup.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("panel.auth=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Over_http_the_cookie_is_httponly_and_same_site_strict()
    {
        using var client = _panel.NewClient();
        var setup = await client.SetupAsync();
        string cookie = setup.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("panel.auth=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
    }
}

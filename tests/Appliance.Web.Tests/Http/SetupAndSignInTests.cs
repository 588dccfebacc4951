using System.Net;
using Appliance.Web.Users;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Web.Tests.Http;

public sealed class SetupAndSignInTests : IDisposable
{
    private readonly PanelFactory _panel = new();

    public void Dispose() => _panel.Dispose();

    [Fact]
    public async Task Fresh_panel_sends_every_visitor_to_setup()
    {
        using var client = _panel.NewClient();
        PanelFixtures.AssertRedirect(await client.GetAsync("/"), "/login");
        PanelFixtures.AssertRedirect(await client.GetAsync("/login"), "/setup");
        var setup = await client.GetAsync("/setup");
        Assert.Equal(HttpStatusCode.OK, setup.StatusCode);
    }

    [Fact]
    public async Task Setup_with_differing_passwords_says_so_beside_the_field_and_keeps_the_name()
    {
        using var client = _panel.NewClient();
        var response = await client.SetupAsync("first-admin", PanelClient.AdminPassword, "something else entirely");
        string html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The two passwords differ.", html, StringComparison.Ordinal);
        Assert.Contains("value=\"first-admin\"", html, StringComparison.Ordinal);
        Assert.False(await _panel.Services.GetRequiredService<UserStore>().AnyAdminAsync());
    }

    [Fact]
    public async Task Setup_with_a_short_password_is_refused_with_the_rule()
    {
        using var client = _panel.NewClient();
        var response = await client.SetupAsync("admin", "short");
        Assert.Contains("Use at least 12 characters", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(await _panel.Services.GetRequiredService<UserStore>().AnyAdminAsync());
    }

    [Fact]
    public async Task Setup_works_once_then_is_gone()
    {
        using var first = await _panel.SetUpAsync();
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/")).StatusCode);

        using var second = _panel.NewClient();
        PanelFixtures.AssertRedirect(await second.GetAsync("/setup"), "/login");
        var tokenPage = await second.ReadTokenAsync("/login");
        var attempt = await second.Http.PostAsync("/setup", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "setup",
            ["__RequestVerificationToken"] = tokenPage,
            ["Input.UserName"] = "intruder",
            ["Input.Password"] = "intruder password 1",
            ["Input.ConfirmPassword"] = "intruder password 1",
        }));
        // Refused either way: sent to sign in, or told the setup form is gone.
        Assert.True(attempt.StatusCode is HttpStatusCode.BadRequest || PanelFixtures.IsRefusal(attempt), $"setup answered {(int)attempt.StatusCode} once an admin existed");
        var users = await _panel.Services.GetRequiredService<UserStore>().ListAsync();
        Assert.Equal([PanelClient.AdminName], users.Select(u => u.UserName));
    }

    [Fact]
    public async Task Right_password_signs_in_and_wrong_one_is_refused_keeping_the_name()
    {
        (await _panel.SetUpAsync()).Dispose();

        using var wrong = _panel.NewClient();
        var refused = await wrong.SignInAsync(PanelClient.AdminName, "not the password");
        string html = await refused.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("Wrong user name or password.", html, StringComparison.Ordinal);
        Assert.Contains($"value=\"{PanelClient.AdminName}\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("not the password", html, StringComparison.Ordinal);
        PanelFixtures.AssertRedirect(await wrong.GetAsync("/"), "/login");

        using var right = _panel.NewClient();
        PanelFixtures.AssertRedirect(await right.SignInAsync(), "/");
        Assert.Equal(HttpStatusCode.OK, (await right.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task Sign_in_goes_back_to_the_page_asked_for_but_never_off_site()
    {
        (await _panel.SetUpAsync()).Dispose();
        using var client = _panel.NewClient();
        var response = await client.PostPageFormAsync("/login?ReturnUrl=%2Faudit", "login",
            new Dictionary<string, string> { ["Input.UserName"] = PanelClient.AdminName, ["Input.Password"] = PanelClient.AdminPassword });
        PanelFixtures.AssertRedirect(response, "/audit");

        using var other = _panel.NewClient();
        var offSite = await other.PostPageFormAsync("/login?ReturnUrl=%2F%2Fevil.example%2F", "login",
            new Dictionary<string, string> { ["Input.UserName"] = PanelClient.AdminName, ["Input.Password"] = PanelClient.AdminPassword });
        PanelFixtures.AssertRedirect(offSite, "/");
        Assert.Equal("localhost", offSite.Headers.Location!.IsAbsoluteUri ? offSite.Headers.Location.Host : "localhost");
        Assert.Equal("/", offSite.Headers.Location.IsAbsoluteUri ? offSite.Headers.Location.AbsolutePath : offSite.Headers.Location.OriginalString);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_until_the_lockout_ends()
    {
        (await _panel.SetUpAsync()).Dispose();
        using var client = _panel.NewClient();
        for (int i = 0; i < 4; i++)
            Assert.Contains("Wrong user name or password.", await (await client.SignInAsync(PanelClient.AdminName, $"guess {i}")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var fifth = await client.SignInAsync(PanelClient.AdminName, "guess 5");
        Assert.Contains("this account is locked until", await fifth.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var rightButLocked = await client.SignInAsync();
        Assert.Equal(HttpStatusCode.OK, rightButLocked.StatusCode);
        Assert.Contains("this account is locked until", await rightButLocked.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        _panel.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        PanelFixtures.AssertRedirect(await client.SignInAsync(), "/");
    }

    [Fact]
    public async Task Sign_out_ends_the_session()
    {
        using var client = await _panel.SetUpAsync();
        PanelFixtures.AssertRedirect(await client.PostEndpointAsync("/account/sign-out", "/account"), "/login");
        PanelFixtures.AssertRedirect(await client.GetAsync("/"), "/login");
    }

    [Fact]
    public async Task Sign_out_everywhere_ends_the_users_other_sessions()
    {
        using var here = await _panel.SetUpAsync();
        using var elsewhere = await _panel.SignedInClientAsync();
        Assert.Equal(HttpStatusCode.OK, (await elsewhere.GetAsync("/")).StatusCode);

        PanelFixtures.AssertRedirect(await here.PostEndpointAsync("/account/sign-out-everywhere", "/account"), "/login");

        PanelFixtures.AssertRedirect(await elsewhere.GetAsync("/"), "/login");
        PanelFixtures.AssertRedirect(await here.GetAsync("/"), "/login");
        using var again = await _panel.SignedInClientAsync();
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task Sign_in_page_speaks_traditional_chinese_when_asked()
    {
        (await _panel.SetUpAsync()).Dispose();
        using var client = _panel.NewClient();
        string html = await client.HtmlAsync("/login?culture=zh-Hant");
        Assert.Contains("<html lang=\"zh-Hant\"", html, StringComparison.Ordinal);
        Assert.Contains("使用者名稱", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_passwords_from_one_address_do_not_lock_the_admin_out_from_another()
    {
        (await _panel.SetUpAsync()).Dispose();
        using var outsider = _panel.NewClient();
        outsider.Http.DefaultRequestHeaders.Add(ConnectionAddressFilter.HeaderName, "198.51.100.9");
        for (int i = 0; i < 5; i++)
            await outsider.SignInAsync(PanelClient.AdminName, "guess " + i);
        using var admin = _panel.NewClient();
        admin.Http.DefaultRequestHeaders.Add(ConnectionAddressFilter.HeaderName, "203.0.113.1");

        var fromOutsider = await outsider.SignInAsync();
        var fromAdmin = await admin.SignInAsync();

        Assert.Contains("this account is locked until", await fromOutsider.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        PanelFixtures.AssertRedirect(fromAdmin, "/");
    }
}

using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OtpNet;
using static Microsoft.Playwright.Assertions;

namespace Appliance.Web.Tests.Browser;

/// <summary>The panel in real headless Chromium: first run, two-factor sign-in, dark mode, Traditional Chinese.</summary>
[Collection(BrowserCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class PanelBrowserTests(ChromiumFixture chromium) : IDisposable
{
    private const string Password = "correct horse battery";
    private readonly KestrelPanel _panel = new();

    public void Dispose() => _panel.Dispose();

    [Fact]
    public async Task First_run_setup_then_totp_sign_in_dark_mode_and_chinese()
    {
        var page = await chromium.NewPageAsync();
        var problems = new List<string>();
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
                problems.Add($"{response.Status} {response.Url}");
        };
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && ChromiumFixture.IsPanelProblem(message.Text))
                problems.Add(message.Text);
        };

        // First run: every address leads to the setup page.
        await page.GotoAsync(_panel.Url("/"));
        await Expect(page).ToHaveURLAsync(new Regex("/setup$"));
        await Screenshots.SaveAsync(page, "01-setup");
        await page.FillAsync("#user-name", "admin");
        await page.FillAsync("#password", Password);
        await page.FillAsync("#confirm-password", "a different one");
        await page.GetByTestId("create-admin").ClickAsync();
        await Expect(page.Locator(".validation-message")).ToHaveTextAsync("The two passwords differ.");
        await Expect(page.Locator("#user-name")).ToHaveValueAsync("admin");
        await page.FillAsync("#password", Password);
        await page.FillAsync("#confirm-password", Password);
        await page.GetByTestId("create-admin").ClickAsync();
        await Expect(page).ToHaveURLAsync(_panel.Url("/"));
        await Expect(page.GetByTestId("user-name")).ToContainTextAsync("admin");
        await Expect(page.Locator("main")).ToContainTextAsync("No appliance agent is paired yet.");
        await Screenshots.SaveAsync(page, "02-overview");

        // Turn on the authenticator second factor.
        await page.GotoAsync(_panel.Url("/account"));
        await page.GetByTestId("totp-begin").ClickAsync();
        string secret = (await page.GetByTestId("totp-secret").TextContentAsync())!.Trim();
        await page.FillAsync("#totp-code", CodeAt(secret, _panel.Clock.GetUtcNow()));
        await page.GetByTestId("totp-confirm").ClickAsync();
        await Expect(page.GetByTestId("recovery-codes").Locator("li")).ToHaveCountAsync(10);
        await Screenshots.SaveAsync(page, "03-account-recovery-codes");

        // Sign out, then in again with password and a fresh code.
        await page.GetByTestId("sign-out").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/login$"));
        await Screenshots.SaveAsync(page, "04-sign-in");
        _panel.Clock.Advance(TimeSpan.FromSeconds(30));
        await page.FillAsync("#user-name", "admin");
        await page.FillAsync("#password", Password);
        await page.GetByTestId("sign-in").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/login/code"));
        await Screenshots.SaveAsync(page, "05-sign-in-code");
        await page.FillAsync("#code", CodeAt(secret, _panel.Clock.GetUtcNow()));
        await page.GetByTestId("verify-code").ClickAsync();
        await Expect(page).ToHaveURLAsync(_panel.Url("/"));
        await Expect(page.GetByTestId("user-name")).ToContainTextAsync("admin");

        // The other pages, light.
        foreach (var (path, name) in new[] { ("/users", "06-users"), ("/audit", "07-audit"), ("/settings", "08-settings") })
        {
            await page.GotoAsync(_panel.Url(path));
            await Expect(page.Locator("h1")).Not.ToBeEmptyAsync();
            await Screenshots.SaveAsync(page, name);
        }
        await Expect(page.GetByTestId("audit-grid")).Not.ToBeVisibleAsync();
        await page.GotoAsync(_panel.Url("/audit"));
        await Expect(page.GetByTestId("audit-grid")).ToContainTextAsync("auth.totp-enabled");

        // Dark mode, remembered across pages.
        await page.GetByTestId("theme-toggle").ClickAsync();
        await Expect(page.Locator("body")).ToHaveClassAsync("theme-dark");
        await page.GotoAsync(_panel.Url("/audit"));
        await Expect(page.Locator("body")).ToHaveClassAsync("theme-dark");
        await Screenshots.SaveAsync(page, "09-audit-dark");

        // Traditional Chinese, remembered too.
        await page.GetByTestId("lang-zh-Hant").ClickAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-Hant");
        await Expect(page.Locator("h1")).ToHaveTextAsync("稽核紀錄");
        await page.GotoAsync(_panel.Url("/settings"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("設定");
        await Screenshots.SaveAsync(page, "10-settings-dark-zh-Hant");

        // Keyboard: the skip link shows when focused and jumps to the content; the menu follows it in tab order.
        // Once the circuit is up (the save button is enabled then), so that focusing the first heading is done.
        await Expect(page.GetByTestId("save-settings")).ToBeEnabledAsync();
        await page.Locator(".skip-link").FocusAsync();
        await Expect(page.Locator(".skip-link")).ToBeFocusedAsync();
        await Expect(page.Locator(".skip-link")).ToBeInViewportAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(_panel.Url("/settings#main"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("設定");

        // Narrow screen: the menu becomes a row above the content, nothing overflows sideways.
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync(_panel.Url("/audit"));
        await Expect(page.Locator("nav.side-nav")).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page scrolls sideways on a phone");
        await Screenshots.SaveAsync(page, "11-audit-phone");

        Assert.True(problems.Count == 0, "the browser reported errors: " + string.Join(" | ", problems));
    }

    private static string CodeAt(string secret, DateTimeOffset time) => new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(time.UtcDateTime);
}

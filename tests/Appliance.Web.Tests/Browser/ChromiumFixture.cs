using Microsoft.Playwright;

namespace Appliance.Web.Tests.Browser;

/// <summary>
/// One headless Chromium (Debian's, driven by Playwright) shared by every test of the <see cref="BrowserCollection"/>.
/// <c>PANEL_TEST_CHROMIUM</c> names another executable. Each test takes a fresh context (own cookies) with <see cref="NewPageAsync"/>.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    /// <summary>
    /// Chromium aborts a request in flight with <c>net::ERR_NETWORK_CHANGED</c> when the host's links change, and the
    /// end-to-end tests beside these create and remove TAPs, bridges and namespaces: that is the machine, not the
    /// panel, so a page's error check leaves it out.
    /// </summary>
    public static bool IsPanelProblem(string consoleError) => !consoleError.Contains("net::ERR_NETWORK_CHANGED", StringComparison.Ordinal);

    public const string ExecutableVariable = "PANEL_TEST_CHROMIUM";
    public const string DefaultExecutable = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        string executable = Environment.GetEnvironmentVariable(ExecutableVariable) is { Length: > 0 } path ? path : DefaultExecutable;
        if (!File.Exists(executable))
            throw new InvalidOperationException($"Chromium not found at {executable}; install Debian's chromium package (test.sh does) or set {ExecutableVariable}");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            // No name lookups or background traffic leave the machine: only 127.0.0.1 resolves.
            Args =
            [
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-gpu",
            ],
        });
    }

    /// <summary>A page in a new browser context (no cookies shared with other tests), 1280×800, English.</summary>
    public async Task<IPage> NewPageAsync(string locale = "en-US")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            Locale = locale,
        });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        _playwright?.Dispose();
    }
}

/// <summary>Browser tests share one Chromium; put <c>[Collection(BrowserCollection.Name)]</c> on a test class to get it.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<ChromiumFixture>
{
    public const string Name = "Browser";
}

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Appliance.Web.Tests.Browser;
using Microsoft.Playwright;
using OtpNet;
using static Microsoft.Playwright.Assertions;

namespace Appliance.Web.Tests.EndToEnd;

/// <summary>
/// The done-when, with every part real: the panel in-process on Kestrel, headless Chromium, the real agent as a
/// child process and the stock OpenVPN 2.6 client on the profile the panel handed out.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class PanelWithAgentEndToEndTests(ChromiumFixture chromium) : IAsyncLifetime
{
    private const string Password = "correct horse battery";
    private const string ClientName = "e2e-alice";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string _downloads = Directory.CreateTempSubdirectory("panel-e2e-profile-").FullName;
    private Rig _rig = default!;

    private RealAgent Agent => _rig.Agent;

    private KestrelPanel Panel => _rig.Panel;

    public async Task InitializeAsync() => _rig = await Rig.StartAsync();

    public async Task DisposeAsync()
    {
        if (_rig is not null)
            await _rig.DisposeAsync();
        Directory.Delete(_downloads, recursive: true);
    }

    /// <summary>The real agent, the panel and the clock that follows real time; torn down in reverse order.</summary>
    private sealed class Rig(RealAgent agent, KestrelPanel panel, ClockFollower clock) : IAsyncDisposable
    {
        public RealAgent Agent { get; } = agent;

        public KestrelPanel Panel { get; } = panel;

        public static async Task<Rig> StartAsync()
        {
            var agent = await RealAgent.StartAsync();
            try
            {
                var panel = new KestrelPanel();
                return new Rig(agent, panel, new ClockFollower(panel.Clock));
            }
            catch
            {
                await agent.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await clock.DisposeAsync();
            Panel.Dispose();
            await Agent.DisposeAsync();
        }
    }

    [Fact]
    public async Task Pair_create_download_connect_watch_kick_and_revoke()
    {
        var page = await chromium.NewPageAsync();
        page.SetDefaultTimeout(60_000);

        // First run and two-factor sign-in.
        await page.GotoAsync(Panel.Url("/"));
        await Expect(page).ToHaveURLAsync(new Regex("/setup$"));
        await page.FillAsync("#user-name", "admin");
        await page.FillAsync("#password", Password);
        await page.FillAsync("#confirm-password", Password);
        await page.GetByTestId("create-admin").ClickAsync();
        await Expect(page).ToHaveURLAsync(Panel.Url("/"));
        await page.GotoAsync(Panel.Url("/account"));
        await page.GetByTestId("totp-begin").ClickAsync();
        string secret = (await page.GetByTestId("totp-secret").TextContentAsync())!.Trim();
        await page.FillAsync("#totp-code", CodeAt(secret));
        await page.GetByTestId("totp-confirm").ClickAsync();
        await Expect(page.GetByTestId("recovery-codes").Locator("li")).ToHaveCountAsync(10);
        await page.GetByTestId("sign-out").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/login$"));
        Panel.Clock.Advance(TimeSpan.FromSeconds(30));
        await page.FillAsync("#user-name", "admin");
        await page.FillAsync("#password", Password);
        await page.GetByTestId("sign-in").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/login/code"));
        await page.FillAsync("#code", CodeAt(secret));
        await page.GetByTestId("verify-code").ClickAsync();
        await Expect(page).ToHaveURLAsync(Panel.Url("/"));

        // Pair the agent by URL and pairing token; its health shows.
        await page.GotoAsync(Panel.Url("/agents"));
        await Expect(page.GetByTestId("pair")).ToBeEnabledAsync();
        await page.FillAsync("#agent-name", "lab");
        await page.FillAsync("#agent-url", Agent.Url.ToString());
        await page.FillAsync("#agent-token", Agent.PairingToken);
        await page.GetByTestId("pair").ClickAsync();
        await Expect(page.GetByTestId("agent-health")).ToContainTextAsync("version");
        await Screenshots.SaveAsync(page, "20-agents");

        // Create a client and download its Linux profile, with the notes beside the button.
        await page.GotoAsync(Panel.Url("/clients"));
        await Expect(page.GetByTestId("create-client")).ToBeEnabledAsync();
        await page.FillAsync("#client-name", ClientName);
        await page.GetByTestId("create-client").ClickAsync();
        var row = page.Locator($"[data-client={ClientName}]");
        await Expect(row).ToBeVisibleAsync();
        await row.GetByTestId("profile").ClickAsync();
        await page.GetByTestId("profile-platform").SelectOptionAsync("linux");
        await Expect(page.GetByTestId("profile-notes")).ToContainTextAsync("Linux");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("download-profile").ClickAsync());
        string profile = Path.Combine(_downloads, download.SuggestedFilename);
        await download.SaveAsAsync(profile);
        Assert.Contains("dev tap", await File.ReadAllTextAsync(profile), StringComparison.Ordinal);
        await Screenshots.SaveAsync(page, "21-clients");

        // A one-time link for the user: shown once, opens without sign-in with the notes, downloads once, then is gone.
        await page.GetByTestId("create-link").ClickAsync();
        string link = await page.GetByTestId("issued-link").InputValueAsync();
        Assert.Matches("/d/[A-Za-z0-9_-]{43}$", link);
        var user = await chromium.NewPageAsync();
        await user.GotoAsync(link);
        await Expect(user.GetByTestId("profile-notes")).ToContainTextAsync("Linux");
        await Screenshots.SaveAsync(user, "26-download-link");
        var byLink = await user.RunAndWaitForDownloadAsync(() => user.GetByTestId("download-button").ClickAsync());
        Assert.Contains("dev tap", await File.ReadAllTextAsync((await byLink.PathAsync())!), StringComparison.Ordinal);
        var again = await user.GotoAsync(link);
        Assert.Equal(410, again!.Status);
        await user.Context.CloseAsync();

        // Connect the real client with it; traffic on its TAP comes in through the tunnel.
        using var openvpn = new RealOpenVpnClient(profile);
        await openvpn.WaitForAsync(RealOpenVpnClient.Connected, Patience);
        using var traffic = StartTraffic(openvpn.TapName);

        // The session appears by itself, and its frame counter grows while the page stays open.
        await page.GotoAsync(Panel.Url("/sessions"));
        var sessionRow = page.GetByTestId("session-row").Filter(new LocatorFilterOptions { HasText = ClientName });
        await Expect(sessionRow).ToBeVisibleAsync();
        long first = await FramesInAsync(sessionRow);
        long later = first;
        var deadline = DateTime.UtcNow + Patience;
        while (later <= first && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            later = await FramesInAsync(sessionRow);
        }
        Assert.True(later > first, $"frames in stayed at {first}; openvpn: {openvpn.Log}");
        await Expect(sessionRow.GetByTestId("rate-in")).Not.ToHaveTextAsync("–");
        await Screenshots.SaveAsync(page, "22-sessions");

        // The session page: full counters with the 14-33 class highlighted, PPPoE view, chart, capture warning.
        string sessionId = (await sessionRow.GetAttributeAsync("data-session"))!;
        await sessionRow.Locator("a").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/sessions/\\d+/{sessionId}$"));
        await Expect(page.GetByTestId("start-capture")).ToBeEnabledAsync();
        await Expect(page.GetByTestId("size-classes").Locator("tr.highlight")).ToContainTextAsync("14-33");
        await Expect(page.GetByTestId("capture-warning")).ToContainTextAsync("credentials");
        await Expect(page.GetByTestId("throughput-chart")).ToBeVisibleAsync();
        await Task.Delay(3000);
        await Screenshots.SaveAsync(page, "23-session");

        // Kick (confirmed): the agent closes the session, the client comes back as a new one.
        await page.GetByTestId("kick").ClickAsync();
        await page.GetByTestId("kick-confirm").ClickAsync();
        // The page keeps the session's last view, as the agent kept it, with why it ended.
        await Expect(page.GetByTestId("ended-session")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("end-reason")).Not.ToBeEmptyAsync();
        await Expect(page.GetByTestId("size-classes").Locator("tr.highlight")).ToContainTextAsync("14-33");
        await Expect(page.GetByTestId("kick")).ToHaveCountAsync(0);
        await Screenshots.SaveAsync(page, "23b-session-ended");
        await openvpn.WaitForAsync(RealOpenVpnClient.Connected, Patience, occurrences: 2);
        await WaitUntilAsync(async () => (await Agent.Api.GetSessionsAsync()).Any(s => s.CommonName == ClientName && s.Id != sessionId), "a new session after the kick");

        // Revoke (confirmed): the live session closes and the client cannot come back.
        await page.GotoAsync(Panel.Url("/clients"));
        row = page.Locator($"[data-client={ClientName}]");
        await Expect(page.GetByTestId("create-client")).ToBeEnabledAsync();
        await row.GetByTestId("revoke").ClickAsync();
        await row.GetByTestId("revoke-confirm").ClickAsync();
        await Expect(page.GetByTestId("clients-grid")).ToContainTextAsync("revoked");
        await WaitUntilAsync(async () => !(await Agent.Api.GetSessionsAsync()).Any(s => s.CommonName == ClientName && s.Established), "the revoked client's session to close");
        await Screenshots.SaveAsync(page, "24-clients-revoked");

        // History: the sampler recorded the client's traffic.
        await WaitUntilAsync(async () =>
        {
            await page.GotoAsync(Panel.Url("/history"));
            return (await page.GetByTestId("history-totals").TextContentAsync() ?? "").Contains(ClientName, StringComparison.Ordinal);
        }, "the client in the history totals");
        await Expect(page.GetByTestId("ended-sessions").Locator($"tr[data-session='{sessionId}']")).ToContainTextAsync(ClientName);
        await Screenshots.SaveAsync(page, "25-history");

        var audit = await page.GotoAsync(Panel.Url("/audit"));
        Assert.True(audit!.Ok);
        await Expect(page.GetByTestId("audit-grid")).ToContainTextAsync("clients.revoked");
    }

    private string CodeAt(string secret) => new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(Panel.Clock.GetUtcNow().UtcDateTime);

    private static async Task<long> FramesInAsync(ILocator row)
    {
        string text = (await row.GetByTestId("frames").TextContentAsync())!;
        return long.Parse(text.Split('/')[0].Trim().Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"gave up waiting for {what}");
            await Task.Delay(500);
        }
    }

    /// <summary>Pings all link-local nodes out of the client's TAP: frames into the tunnel, whatever the switch then does with them.</summary>
    private static Traffic StartTraffic(string tap)
    {
        var start = new ProcessStartInfo("ping") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "-6", "-c", "600", "-i", "0.2", "ff02::1%" + tap })
            start.ArgumentList.Add(arg);
        return new Traffic(Process.Start(start)!);
    }

    /// <summary>The traffic generator, killed by PID at dispose.</summary>
    private sealed class Traffic(Process process) : IDisposable
    {
        public void Dispose()
        {
            if (!process.HasExited)
                process.Kill();
            process.Dispose();
        }
    }
}

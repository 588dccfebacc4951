using Appliance.Web.Agents;
using Appliance.Web.Tests.AgentsSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Appliance.Web.Tests.Browser;

/// <summary>In real Chromium, in Traditional Chinese: a session with the origin finding is kicked; its page turns into the kept last view,
/// and the client's last session shows the same finding with a link back to it. The agent is the in-memory stand-in (its kept
/// sessions are the real agent's RealClientTests' subject).</summary>
[Collection(BrowserCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class EndedSessionBrowserTests(ChromiumFixture chromium) : IDisposable
{
    private const string Password = "correct horse battery";
    private const string SessionId = "00000000000000b7";
    private const string Explanation = "來自用戶端、短於 34 位元組的訊框從未到達";
    private readonly (FakeAgent Agent, KestrelPanel Panel) _rig = Rig();

    private FakeAgent Agent => _rig.Agent;

    private KestrelPanel Panel => _rig.Panel;

    private static (FakeAgent, KestrelPanel) Rig()
    {
        var agent = new FakeAgent { HoldStreams = true };
        return (agent, new KestrelPanel(agent));
    }

    public void Dispose() => Panel.Dispose();

    [Fact]
    public async Task A_kicked_sessions_last_view_stays_on_its_page_and_on_its_client_with_the_finding_in_chinese()
    {
        Agent.Clients.Add(FakeAgent.Client("alice"));
        Agent.StreamTime = EndedSamples.Connected.AddMinutes(5);
        Agent.Sessions.Add(EndedSamples.Session(SessionId, "alice", EndedSamples.ShortFramesLost()));
        var problems = new List<string>();
        var page = await chromium.NewPageAsync();
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
                problems.Add($"{response.Status} {response.Url}");
        };
        await page.GotoAsync(Panel.Url("/setup"));
        await page.FillAsync("#user-name", "admin");
        await page.FillAsync("#password", Password);
        await page.FillAsync("#confirm-password", Password);
        await page.GetByTestId("create-admin").ClickAsync();
        await Expect(page).ToHaveURLAsync(Panel.Url("/"));
        var agent = await Panel.Services.GetRequiredService<AgentStore>()
            .AddAsync("lab", new Uri("https://lab.invalid:7443/"), "AA:BB", "pairing-token", Panel.Clock.GetUtcNow(), "admin");
        await page.GetByTestId("lang-zh-Hant").ClickAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-Hant");

        // Live: the finding in Chinese; then the operator kicks the session and the page keeps its last view.
        await page.GotoAsync(Panel.Url($"/sessions/{agent.Id}/{SessionId}"));
        await Expect(page.GetByTestId("finding-explanation")).ToContainTextAsync(Explanation);
        await page.GetByTestId("kick").ClickAsync();
        await page.GetByTestId("kick-confirm").ClickAsync();
        await Expect(page.GetByTestId("ended-session")).ToContainTextAsync("2026-12-05 09:05:00");
        await Expect(page.GetByTestId("end-reason")).ToHaveTextAsync("kicked");
        await Expect(page.GetByTestId("finding-explanation")).ToContainTextAsync("IPCP Configure-Ack（id 2，32 位元組）");
        await Expect(page.GetByTestId("finding-fix")).ToContainTextAsync("TAP-Windows6 更新至 9.25");
        await Expect(page.GetByTestId("evidence").Locator("tbody tr")).ToHaveCountAsync(6);
        await Expect(page.GetByTestId("kick")).ToHaveCountAsync(0);
        await Screenshots.SaveAsync(page, "ended-01-session-page-zh-Hant");

        // The client's last session: its finding and the way back to the whole view.
        await page.GotoAsync(Panel.Url($"/clients?agent={agent.Id}"));
        await page.GetByTestId("last-session").ClickAsync();
        var last = page.GetByTestId("last-session-panel");
        await Expect(last).ToContainTextAsync("alice 的上一個連線階段");
        await Expect(last.GetByTestId("finding-explanation")).ToContainTextAsync(Explanation);
        await Screenshots.SaveAsync(page, "ended-02-client-last-session-zh-Hant");
        await last.GetByTestId("open-last-session").ClickAsync();
        await Expect(page).ToHaveURLAsync(Panel.Url($"/sessions/{agent.Id}/{SessionId}"));
        await Expect(page.GetByTestId("ended-session")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("finding-explanation")).ToContainTextAsync(Explanation);

        Assert.Contains($"DELETE /api/v1/sessions/{SessionId}", Agent.Requests);
        Assert.Empty(problems);
    }
}

using Appliance.Web.Agents;
using Appliance.Web.Audit;
using Appliance.Web.Tests.AgentsSupport;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Appliance.Web.Tests.Browser;

/// <summary>The agent pages in real headless Chromium over a fake agent: where profiles dial, the overview in Traditional Chinese.</summary>
[Collection(BrowserCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class AgentPagesBrowserTests : IDisposable
{
    private const string Password = "correct horse battery";
    private readonly ChromiumFixture _chromium;
    private readonly FakeAgent _agent = new();
    private readonly KestrelPanel _panel;

    public AgentPagesBrowserTests(ChromiumFixture chromium)
    {
        _chromium = chromium;
        _panel = new KestrelPanel(_agent);
    }

    public void Dispose() => _panel.Dispose();

    private async Task<Microsoft.Playwright.IPage> SignedInPageAsync(List<string> problems)
    {
        var page = await _chromium.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && ChromiumFixture.IsPanelProblem(message.Text))
                problems.Add(message.Text);
        };
        await page.GotoAsync(_panel.Url("/setup"));
        await page.FillAsync("#user-name", "admin");
        await page.FillAsync("#password", Password);
        await page.FillAsync("#confirm-password", Password);
        await page.GetByTestId("create-admin").ClickAsync();
        await Expect(page).ToHaveURLAsync(_panel.Url("/"));
        return page;
    }

    [Fact]
    public async Task Overview_reads_in_traditional_chinese_with_the_uplinks_drops_explained()
    {
        var problems = new List<string>();
        var page = await SignedInPageAsync(problems);
        var drops = new Dictionary<string, long> { ["filtered_by_policy"] = 18 };
        var none = new Dictionary<string, long>();
        _agent.Ports.Add(new Appliance.Contracts.PortStatus(0, "uplink", "raw-nic", 2,
            new Appliance.Contracts.DirectionCountersDto(18, 1800, 0, 18, 1800, none, none, none, none, none, none, drops),
            new Appliance.Contracts.DirectionCountersDto(0, 0, 0, 0, 0, none, none, none, none, none, none, none)));
        _agent.Health = _agent.Health with { Lab = new Appliance.Contracts.LabStatusDto("running", "pppoe-server on br-lab") };
        await _panel.Services.GetRequiredService<AgentStore>().AddAsync("lab", new Uri("https://lab.invalid:7443/"), "AA:BB", "pairing-token", DateTimeOffset.UtcNow, "admin");

        await page.GotoAsync(_panel.Url("/"));
        await Expect(page.GetByTestId("drop-reason")).ToContainTextAsync("18 filtered by the switch policy");
        await page.GetByTestId("lang-zh-Hant").ClickAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-Hant");
        await Expect(page.Locator("table.ports th").First).ToHaveTextAsync("連接埠");
        await Expect(page.GetByTestId("drop-reason")).ToContainTextAsync("被交換器政策過濾");
        await Expect(page.Locator(".lab-state")).ToContainTextAsync("執行中");
        // The chosen language stands out from the bar (it used to be filled with the bar's own colour, so looked unchosen).
        string bar = await page.Locator(".topbar").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
        Assert.NotEqual(bar, await page.GetByTestId("lang-zh-Hant").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
        Assert.Equal("rgba(0, 0, 0, 0)", await page.GetByTestId("lang-en").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
        await Screenshots.SaveAsync(page, "overview-zh-Hant");
        Assert.True(problems.Count == 0, "the browser reported errors: " + string.Join(" | ", problems));
    }

    [Fact]
    public async Task Admin_sees_where_profiles_dial_is_warned_of_a_local_name_and_sets_a_public_one()
    {
        var page = await _chromium.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && ChromiumFixture.IsPanelProblem(message.Text))
                problems.Add(message.Text);
        };
        await page.GotoAsync(_panel.Url("/setup"));
        await page.FillAsync("#user-name", "admin");
        await page.FillAsync("#password", Password);
        await page.FillAsync("#confirm-password", Password);
        await page.GetByTestId("create-admin").ClickAsync();
        await Expect(page).ToHaveURLAsync(_panel.Url("/"));
        await _panel.Services.GetRequiredService<AgentStore>().AddAsync("lab", new Uri("https://lab.invalid:7443/"), "AA:BB", "pairing-token", DateTimeOffset.UtcNow, "admin");

        await page.GotoAsync(_panel.Url("/agents"));
        var section = page.GetByTestId("dial-address");
        await Expect(section.GetByTestId("dial-current")).ToContainTextAsync("Profiles dial vm, UDP port the listener's port (1194)");
        await Expect(section.GetByTestId("dial-warning")).ToContainTextAsync("without a domain");
        await Expect(section.GetByTestId("dial-save")).ToBeEnabledAsync();

        await section.GetByTestId("dial-host").FillAsync("appliance.lan");
        await section.GetByTestId("dial-host").BlurAsync();
        await Expect(section.GetByTestId("dial-warning-typed")).ToContainTextAsync("local-only name");
        await section.GetByTestId("dial-tcp").FillAsync("99999");
        await section.GetByTestId("dial-save").ClickAsync();
        await Expect(section.Locator(".validation-message")).ToContainTextAsync("1 to 65535");
        Assert.Equal("vm", _agent.Config.Profiles.ServerHost);
        await Screenshots.SaveAsync(page, "agents-01-dial-address-warned");

        await section.GetByTestId("dial-host").FillAsync("vpn.example.net");
        await section.GetByTestId("dial-tcp").FillAsync("443");
        await section.GetByTestId("dial-save").ClickAsync();
        await Expect(section.GetByTestId("banner")).ToContainTextAsync("dial the new address");
        await Expect(section.GetByTestId("dial-current")).ToContainTextAsync("Profiles dial vpn.example.net, UDP port the listener's port (1194), TCP port 443.");
        await Expect(section.GetByTestId("dial-warning")).ToHaveCountAsync(0);
        await Screenshots.SaveAsync(page, "agents-02-dial-address-saved");
        Assert.Equal(("vpn.example.net", 0, 443), (_agent.Config.Profiles.ServerHost, _agent.Config.Profiles.UdpPort, _agent.Config.Profiles.TcpPort));

        // A reload reads it back from the agent.
        await page.ReloadAsync();
        await Expect(page.GetByTestId("dial-host")).ToHaveValueAsync("vpn.example.net");
        var audit = await _panel.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery(Action: AgentAuditActions.DialAddressChanged));
        Assert.Single(audit);
        Assert.True(problems.Count == 0, "the browser reported errors: " + string.Join(" | ", problems));
    }
}

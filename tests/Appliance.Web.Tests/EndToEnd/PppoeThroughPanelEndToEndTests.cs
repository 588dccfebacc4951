using System.Diagnostics;
using System.Net;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using Appliance.Web.Tests.Browser;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Appliance.Web.Tests.EndToEnd;

/// <summary>
/// The product's whole path, watched in the panel: a remote machine (a user-mode-linux guest running the stock pppd)
/// dials PPPoE through the stock OpenVPN 2.6 client, on the profile the panel handed out, to the agent's lab ISP (a real
/// pppoe-server in its own guest on the agent's lab bridge), and the session page shows the exchange the agent followed.
/// </summary>
/// <remarks>The sign-in with two factors and the one-time link are covered by <see cref="PanelWithAgentEndToEndTests"/>;
/// this test signs in after first-run setup only, to stay short.</remarks>
[SupportedOSPlatform("linux")]
[Collection(BrowserCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class PppoeThroughPanelEndToEndTests(ChromiumFixture chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Password = "correct horse battery";
    private const string ClientName = "e2e-dialer";
    private const string LabUser = "lab";
    private const string LabPassword = "lab-only-secret";
    private const string IspAddress = "10.77.0.1";
    private const string IspLinkLocal = "fe80::1";
    private static readonly IPAddress FirstPoolAddress = IPAddress.Parse("10.77.0.10");
    private const int PoolSize = 32;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private PppoeRig _rig = default!;

    public async Task InitializeAsync()
    {
        _rig = await PppoeRig.StartAsync(LabUser, LabPassword, IspAddress);
        Phase("agent answering, panel up, dialling guest booting");
    }

    public async Task DisposeAsync()
    {
        if (_rig is not null)
            await _rig.DisposeAsync();
    }

    [Fact]
    public async Task A_remote_pppd_dials_the_lab_isp_through_the_tunnel_and_the_session_page_shows_the_whole_exchange()
    {
        var page = await chromium.NewPageAsync();
        page.SetDefaultTimeout(60_000);

        // First run, then pair the agent, create a client and download its Linux profile.
        await page.GotoAsync(_rig.Panel.Url("/"));
        await Expect(page).ToHaveURLAsync(new Regex("/setup$"));
        await page.FillAsync("#user-name", "admin");
        await page.FillAsync("#password", Password);
        await page.FillAsync("#confirm-password", Password);
        await page.GetByTestId("create-admin").ClickAsync();
        await Expect(page).ToHaveURLAsync(_rig.Panel.Url("/"));
        await page.GotoAsync(_rig.Panel.Url("/agents"));
        await Expect(page.GetByTestId("pair")).ToBeEnabledAsync();
        await page.FillAsync("#agent-name", "lab");
        await page.FillAsync("#agent-url", _rig.Agent.Url.ToString());
        await page.FillAsync("#agent-token", _rig.Agent.PairingToken);
        await page.GetByTestId("pair").ClickAsync();
        await Expect(page.GetByTestId("agent-health")).ToContainTextAsync("version");
        await page.GotoAsync(_rig.Panel.Url("/clients"));
        await Expect(page.GetByTestId("create-client")).ToBeEnabledAsync();
        await page.FillAsync("#client-name", ClientName);
        await page.GetByTestId("create-client").ClickAsync();
        var row = page.Locator($"[data-client={ClientName}]");
        await row.GetByTestId("profile").ClickAsync();
        await page.GetByTestId("profile-platform").SelectOptionAsync("linux");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("download-profile").ClickAsync());
        string profile = Path.Combine(_rig.Scratch, download.SuggestedFilename);
        await download.SaveAsAsync(profile);
        Phase("panel set up, agent paired, profile downloaded");

        // The lab ISP is up on the agent's bridge.
        await _rig.Agent.WaitForLabAsync("running", TimeSpan.FromSeconds(90));
        Phase("lab ISP running");

        // The remote machine: the OpenVPN client's TAP joins the dialling guest's on the remote bridge.
        using var openvpn = new RealOpenVpnClient(profile, hostIpv6: false);
        await openvpn.WaitForAsync(RealOpenVpnClient.Connected, Patience);
        _rig.Remote.Adopt(openvpn.TapName);
        Phase("OpenVPN connected, its TAP on the remote bridge");

        // pppd gets an address from the lab pool and IPv6CP's link-local, and the ISP answers pings over both.
        await _rig.Dialer.WaitUntilAsync(d => d.Ipv4Address is not null, "IPCP address", Patience);
        var address = IPAddress.Parse(_rig.Dialer.Ipv4Address!);
        Phase($"IPCP up: {address}");
        Assert.True(InPool(address), $"pppd got {address}, outside the lab pool of {PoolSize} from {FirstPoolAddress}");
        await _rig.Dialer.WaitUntilAsync(d => d.LinkLocalAddress is not null, "IPv6CP link-local address", Patience);
        Assert.Equal(IPAddress.Parse("fe80::2"), IPAddress.Parse(_rig.Dialer.LinkLocalAddress!));
        await _rig.Dialer.WaitUntilAsync(d => d.Answered(IspAddress) && d.Answered(IspLinkLocal), "ping reply from the ISP over IPv4 and IPv6", Patience);
        Phase("IPv6CP up, the ISP answers pings over IPv4 and IPv6");

        // The live session list: the client with short frames both ways, not flagged as missing, and nothing dropped (the
        // remote machine sends only PPPoE: IPv6 is off on its TAP and bridge).
        await page.GotoAsync(_rig.Panel.Url("/sessions"));
        var sessionRow = page.GetByTestId("session-row").Filter(new LocatorFilterOptions { HasText = ClientName });
        await Expect(sessionRow).ToBeVisibleAsync();
        await Expect(sessionRow.GetByTestId("short-frames")).ToHaveTextAsync(new Regex(@"^\s*[1-9][\d,]*\s*/\s*[1-9][\d,]*\s*$"));
        await Expect(sessionRow.GetByTestId("short-frames")).Not.ToHaveClassAsync(new Regex("short-frames-missing"));
        await Expect(sessionRow.Locator("td").Last).ToHaveTextAsync("0");

        // The session page: discovery reached a session, LCP / IPCP / IPv6CP opened, the 14-33 class counted both ways,
        // and the diagnosis finds nothing wrong.
        string sessionId = (await sessionRow.GetAttributeAsync("data-session"))!;
        await sessionRow.Locator("a").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/sessions/\\d+/{sessionId}$"));
        var pppoe = page.GetByTestId("pppoe-panel");
        await Expect(pppoe.GetByTestId("discovery-state")).ToHaveTextAsync("session");
        await Expect(pppoe.Locator("dt:text-is('PPPoE session id') + dd")).ToHaveTextAsync(new Regex(@"^[1-9]\d*$"));
        foreach (string protocol in new[] { "LCP", "IPCP", "IPv6CP" })
            await Expect(pppoe.Locator($"tr[data-protocol={protocol}] td").First).ToHaveTextAsync("Yes");
        var shortClass = page.GetByTestId("size-classes").Locator("tr.highlight[data-key='14-33'] td");
        await Expect(shortClass.Nth(0)).ToHaveTextAsync(new Regex(@"^[1-9][\d,]*$"));
        await Expect(shortClass.Nth(1)).ToHaveTextAsync(new Regex(@"^[1-9][\d,]*$"));
        await Expect(pppoe.GetByTestId("no-findings")).ToContainTextAsync("Nothing wrong found");
        await Expect(pppoe.GetByTestId("finding")).ToHaveCountAsync(0);
        await Screenshots.SaveAsync(page, "30-pppoe-session");

        await page.GotoAsync(_rig.Panel.Url("/sessions"));
        await Expect(sessionRow.GetByTestId("short-frames")).ToHaveTextAsync(new Regex(@"[1-9]"));
        await Screenshots.SaveAsync(page, "31-sessions-pppoe");
        Phase("session page and list checked");
    }

    private void Phase(string what) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:F1} s  {what}");

    private static bool InPool(IPAddress address)
    {
        uint first = ToUInt(FirstPoolAddress);
        uint value = ToUInt(address);
        return value >= first && value < first + PoolSize;
    }

    private static uint ToUInt(IPAddress address) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());
}

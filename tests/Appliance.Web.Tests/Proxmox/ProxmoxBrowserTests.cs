using System.Text.RegularExpressions;
using Appliance.Proxmox.Tests.FakePve;
using Appliance.Web.Agents;
using Appliance.Web.Audit;
using Appliance.Web.Proxmox;
using Appliance.Web.Tests.Browser;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Appliance.Web.Tests.Proxmox;

/// <summary>The Proxmox pages in real headless Chromium, driving the schema-generated fake Proxmox VE over real TLS.</summary>
[Collection(BrowserCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class ProxmoxBrowserTests(ChromiumFixture chromium) : IAsyncLifetime, IDisposable
{
    private const string Password = "correct horse battery";
    private readonly KestrelPanel _panel = new();
    private readonly List<string> _problems = [];
    private FakePveServer _pve = default!;

    public async Task InitializeAsync()
    {
        _pve = await FakePveServer.StartAsync();
        PveScenario.Cluster(_pve, "SDN.Use");
        PveScenario.ApplianceVm(_pve, pppoeFirewallOn: true, DateTimeOffset.UtcNow);
        PveScenario.TemplateAndGuest(_pve);
    }

    // Throws when the panel sent anything the PVE schema refuses.
    public async Task DisposeAsync() => await _pve.DisposeAsync();

    public void Dispose() => _panel.Dispose();

    [Fact]
    public async Task Connect_shows_the_fingerprint_and_missing_privileges_then_vm_status_stop_and_the_preflight_firewall_fix()
    {
        var page = await SignedInPageAsync();

        // Connect: first contact shows the certificate seen (no token sent); once the admin confirms it, the privileges the token lacks.
        await page.GotoAsync(_panel.Url("/proxmox"));
        await Expect(page.GetByTestId("check-connection")).ToBeEnabledAsync();
        await page.FillAsync("#pve-url", _pve.BaseUrl.ToString());
        await page.FillAsync("#pve-token", FakePveServer.TokenId);
        await page.FillAsync("#pve-secret", FakePveServer.Secret);
        await page.GetByTestId("check-connection").ClickAsync();
        await Expect(page.GetByTestId("fingerprint-seen")).ToHaveTextAsync(_pve.Fingerprint);
        await Expect(page.GetByTestId("presented-certificate")).ToBeVisibleAsync();
        Assert.Empty(_pve.Requests);
        await Screenshots.SaveAsync(page, "proxmox-01-connect-certificate");
        await page.GetByTestId("confirm-certificate").ClickAsync();
        var missing = page.GetByTestId("missing-privilege");
        // One bridge per NIC of the appliance: the token may attach to neither.
        await Expect(missing).ToHaveCountAsync(2);
        await Expect(missing.Nth(0)).ToContainTextAsync("/sdn/zones/localnetwork/vmbr0");
        await Expect(missing.Nth(1)).ToContainTextAsync("/sdn/zones/localnetwork/vmbr1");
        await Expect(missing.Nth(1)).ToContainTextAsync("SDN.Use");
        await Screenshots.SaveAsync(page, "proxmox-01-connect-check");
        await page.GetByTestId("save-connection").ClickAsync();
        await Expect(page.GetByTestId("banner")).ToContainTextAsync("the certificate is pinned");
        await Expect(page.GetByTestId("stored-site")).ToContainTextAsync(_pve.Fingerprint);
        await Expect(page.GetByTestId("node")).ToContainTextAsync("online");
        await Expect(page.Locator("#pve-secret")).ToHaveValueAsync("");
        Assert.DoesNotContain(FakePveServer.Secret, await page.ContentAsync(), StringComparison.Ordinal);
        await Screenshots.SaveAsync(page, "proxmox-02-connected");

        // The appliance VM: choose it, see its status and graphs, stop it (confirmed).
        await page.GotoAsync(_panel.Url("/proxmox/vm"));
        await Expect(page.GetByTestId("choose-vm")).ToBeEnabledAsync();
        await page.FillAsync("#vm-node", PveScenario.Node);
        await page.Locator("#vm-node").BlurAsync();
        await page.Locator("#vm-id").SelectOptionAsync(PveScenario.ApplianceVmId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByTestId("choose-vm").ClickAsync();
        await Expect(page.GetByTestId("vm-state")).ToHaveTextAsync("running");
        await Expect(page.GetByTestId("chart-cpu").Locator("svg path").First).ToBeAttachedAsync();
        await Expect(page.GetByTestId("console-link")).ToHaveAttributeAsync("href", new Regex("console=kvm.*vmid=100"));
        await page.GetByTestId("timeframe-day").ClickAsync();
        await Expect(page.GetByTestId("timeframe-day")).ToHaveAttributeAsync("aria-pressed", "true");
        await Screenshots.SaveAsync(page, "proxmox-03-vm-running");
        // Running: Start is off and looks it; Reboot and Shut down ask first, like Stop.
        await Expect(page.GetByTestId("power-start")).ToBeDisabledAsync();
        Assert.True(await page.GetByTestId("power-start").EvaluateAsync<double>("b => parseFloat(getComputedStyle(b).opacity)") < 0.6, "a disabled button looks enabled");
        await page.GetByTestId("power-reboot").ClickAsync();
        await Expect(page.GetByTestId("power-reboot-confirm")).ToBeVisibleAsync();
        await Expect(page.Locator(".confirm-question")).ToContainTextAsync("Reboot VM 100?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await page.GetByTestId("power-shutdown").ClickAsync();
        await Expect(page.GetByTestId("power-shutdown-confirm")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        Assert.DoesNotContain(_pve.Requests, r => r.Template is "/nodes/{node}/qemu/{vmid}/status/reboot" or "/nodes/{node}/qemu/{vmid}/status/shutdown");
        await page.GetByTestId("power-stop").ClickAsync();
        Assert.Equal("running", _pve.Vms.Status(PveScenario.ApplianceVmId));
        await page.GetByTestId("power-stop-confirm").ClickAsync();
        await Expect(page.GetByTestId("banner").Filter(new() { HasText = "stopped" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("vm-state")).ToHaveTextAsync("stopped");
        Assert.Equal("stopped", _pve.Vms.Status(PveScenario.ApplianceVmId));
        await Expect(page.GetByTestId("power-start")).ToBeEnabledAsync();
        await Expect(page.GetByTestId("power-reboot")).ToBeDisabledAsync();
        await Screenshots.SaveAsync(page, "proxmox-04-vm-stopped");
        // The next action replaces the last one's banner.
        await page.GetByTestId("power-start").ClickAsync();
        await Expect(page.GetByTestId("vm-state")).ToHaveTextAsync("running");
        await Expect(page.GetByTestId("banner").Filter(new() { HasText = "stopped" })).ToHaveCountAsync(0);

        // Pre-flight: the PPPoE NIC has the firewall on; the fix button (confirmed) turns it off and the check passes.
        await page.GotoAsync(_panel.Url("/proxmox/preflight"));
        var firewall = page.Locator("[data-check=nic-firewall-off]");
        await Expect(firewall).ToHaveAttributeAsync("data-passed", "false");
        await Expect(firewall).ToContainTextAsync("MAC filter");
        await Screenshots.SaveAsync(page, "proxmox-05-preflight-failing");
        await page.GetByTestId("fix-nic-firewall-off").ClickAsync();
        await page.GetByTestId("fix-nic-firewall-off-confirm").ClickAsync();
        await Expect(firewall).ToHaveAttributeAsync("data-passed", "true");
        await Expect(page.GetByTestId("banner").Filter(new() { HasText = "Every check passed" })).ToBeVisibleAsync();
        Assert.Contains("firewall=0", _pve.Vms.Config(PveScenario.ApplianceVmId)!["net1"], StringComparison.Ordinal);
        await Screenshots.SaveAsync(page, "proxmox-06-preflight-fixed");

        // Traditional Chinese: the page's own strings follow the language (the workflow's findings stay in English).
        await page.GetByTestId("lang-zh-Hant").ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("事前檢查");
        await Expect(firewall).ToContainTextAsync("該網路介面的 Proxmox 防火牆已關閉");
        await Screenshots.SaveAsync(page, "proxmox-11-preflight-zh-Hant");

        var audit = await _panel.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery(Action: "proxmox."));
        Assert.Equal(
            [ProxmoxAuditActions.PreflightFixed, ProxmoxAuditActions.PowerAction, ProxmoxAuditActions.PowerAction, ProxmoxAuditActions.ApplianceVmChosen, ProxmoxAuditActions.Connected, ProxmoxAuditActions.ConnectionChecked, ProxmoxAuditActions.ConnectionChecked],
            audit.Select(a => a.Action));
        Assert.True(_problems.Count == 0, "the browser reported errors: " + string.Join(" | ", _problems));
    }

    [Fact]
    public async Task Deploy_shows_each_step_live_and_ends_with_the_agent_paired()
    {
        await ConnectThroughTheServiceAsync();
        var page = await SignedInPageAsync();

        await page.GotoAsync(_panel.Url("/proxmox/deploy"));
        await Expect(page.GetByTestId("deploy")).ToBeEnabledAsync();
        await Expect(page.Locator("#deploy-template")).ToHaveValueAsync(PveScenario.TemplateVmId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.FillAsync("#deploy-name", "bad name!");
        await page.GetByTestId("deploy").ClickAsync();
        await Expect(page.Locator("#deploy-name").Locator("xpath=..").Locator(".validation-message")).ToContainTextAsync("DNS name");
        await Expect(page.Locator("#deploy-name")).ToHaveValueAsync("bad name!");
        await page.FillAsync("#deploy-name", "l2vpn-1");
        await page.FillAsync("#deploy-keys", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOpanelkey op@panel");
        // The guest is still booting at the first ping: the page shows the deploy waiting there, live.
        _pve.FailTimes("POST", "/nodes/{node}/qemu/{vmid}/agent/ping", 1, 500, "QEMU guest agent is not running");
        await page.GetByTestId("deploy").ClickAsync();

        await Expect(page.Locator("[data-testid=step][data-step=start]")).ToHaveAttributeAsync("data-state", "Succeeded");
        await Expect(page.Locator("[data-testid=step][data-step=wait-guest-agent]")).ToHaveAttributeAsync("data-state", "Waiting");
        await Expect(page.GetByTestId("deploy")).ToBeDisabledAsync();
        await Screenshots.SaveAsync(page, "proxmox-07-deploy-waiting");
        // The panel's clock is virtual: the next poll comes when it moves on.
        _panel.Clock.Advance(TimeSpan.FromSeconds(3));

        var paired = page.Locator("[data-testid=step][data-step=paired]");
        await Expect(paired).ToHaveAttributeAsync("data-state", "Succeeded");
        await Expect(page.GetByTestId("step")).ToHaveCountAsync(9);
        foreach (var step in await page.GetByTestId("step").AllAsync())
            await Expect(step).ToHaveAttributeAsync("data-state", "Succeeded");
        await Expect(page.GetByTestId("agent-url")).ToHaveTextAsync($"https://{PveScenario.GuestAddress}:7443/");
        await Expect(page.GetByTestId("agent-fingerprint")).ToHaveTextAsync(PveScenario.AgentFingerprint);
        await Expect(page.GetByTestId("pairing-token")).ToHaveCountAsync(0);
        await Screenshots.SaveAsync(page, "proxmox-08-deployed");

        var agent = Assert.Single(await _panel.Services.GetRequiredService<AgentStore>().ListAsync());
        Assert.Equal(("l2vpn-1", PveScenario.AgentFingerprint), (agent.Name, agent.Fingerprint));
        Assert.Equal("running", _pve.Vms.Status(PveScenario.NextVmId));
        Assert.Contains("bridge=vmbr1,firewall=0", _pve.Vms.Config(PveScenario.NextVmId)!["net1"], StringComparison.Ordinal);
        Assert.True(_problems.Count == 0, "the browser reported errors: " + string.Join(" | ", _problems));
    }

    [Fact]
    public async Task Deploy_on_a_node_that_stalls_ends_with_a_visible_failure_and_deploy_offered_again()
    {
        await ConnectThroughTheServiceAsync();
        _panel.Services.GetRequiredService<ProxmoxClients>().ConnectTimeout = TimeSpan.FromSeconds(1);
        var page = await SignedInPageAsync();

        await page.GotoAsync(_panel.Url("/proxmox/deploy"));
        await Expect(page.GetByTestId("deploy")).ToBeEnabledAsync();
        await page.FillAsync("#deploy-name", "l2vpn-stall");
        // From here on the node accepts connections and never answers.
        _pve.Stall.StallNext(int.MaxValue);
        await page.GetByTestId("deploy").ClickAsync();

        await Expect(page.GetByTestId("banner").Filter(new() { HasText = "did not set up a connection" })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=step][data-state=Failed]")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("deploy")).ToBeEnabledAsync();
        await Expect(page.GetByTestId("deploy-cancel")).ToHaveCountAsync(0);
        await Screenshots.SaveAsync(page, "proxmox-12-deploy-node-stalled");
        var audit = await _panel.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery(Action: ProxmoxAuditActions.DeployFailed));
        Assert.Contains("did not set up a connection", Assert.Single(audit).Detail, StringComparison.Ordinal);
        Assert.True(_problems.Count == 0, "the browser reported errors: " + string.Join(" | ", _problems));
    }

    [Fact]
    public async Task Template_import_says_why_it_needs_ssh_and_asks_for_access()
    {
        _pve.Respond("GET", "/nodes/{node}/storage", new object[] { new { storage = "local", type = "dir", content = "iso,vztmpl,backup", active = 1, enabled = 1 } });
        await ConnectThroughTheServiceAsync();
        var image = Path.Combine(_panel.DataDirectory, "appliance-1.0.qcow2");
        await File.WriteAllBytesAsync(image, Appliance.Proxmox.Tests.Support.Qcow2.Image(4096));
        var page = await SignedInPageAsync();

        await page.GotoAsync(_panel.Url("/proxmox/template"));
        await Expect(page.GetByTestId("import-template")).ToBeEnabledAsync();
        await page.FillAsync("#template-path", "/nowhere/appliance.qcow2");
        await page.GetByTestId("import-template").ClickAsync();
        await Expect(page.Locator("#template-path").Locator("xpath=..").Locator(".validation-message")).ToContainTextAsync("no file at /nowhere/appliance.qcow2");
        await page.FillAsync("#template-path", image);
        await page.GetByTestId("import-template").ClickAsync();

        var ssh = page.GetByTestId("ssh-form");
        await Expect(ssh).ToContainTextAsync("does not hold the 'import' content type");
        await Expect(page.Locator("#ssh-host")).ToHaveValueAsync(_pve.BaseUrl.Host);
        await Expect(page.Locator("#ssh-user")).ToHaveValueAsync("root");
        await page.FillAsync("#ssh-key", "not a key");
        await page.GetByTestId("import-over-ssh").ClickAsync();
        await Expect(page.Locator("#ssh-key").Locator("xpath=..").Locator(".validation-message")).ToContainTextAsync("PRIVATE KEY");
        await Screenshots.SaveAsync(page, "proxmox-09-template-needs-ssh");
        Assert.DoesNotContain(_pve.Requests, r => r.Method == "POST");
        Assert.True(_problems.Count == 0, "the browser reported errors: " + string.Join(" | ", _problems));
    }

    [Fact]
    public async Task Template_uploaded_from_the_browser_goes_to_proxmox_through_the_api_and_becomes_a_template()
    {
        await ConnectThroughTheServiceAsync();
        var page = await SignedInPageAsync();

        await page.GotoAsync(_panel.Url("/proxmox/template"));
        await Expect(page.GetByTestId("import-template")).ToBeEnabledAsync();
        await page.GetByTestId("source-browser").CheckAsync();
        await page.GetByTestId("import-template").ClickAsync();
        await Expect(page.Locator("#template-file").Locator("xpath=..").Locator(".validation-message")).Not.ToBeEmptyAsync();
        await page.Locator("#template-file").SetInputFilesAsync(new FilePayload { Name = "appliance-1.0.qcow2", MimeType = "application/octet-stream", Buffer = Appliance.Proxmox.Tests.Support.Qcow2.Image(200_000) });
        await page.FillAsync("#template-vmid", "9100");
        await page.GetByTestId("import-template").ClickAsync();

        await Expect(page.Locator("[data-testid=step][data-step=template]")).ToHaveAttributeAsync("data-state", "Succeeded");
        // The browser's upload is a step of its own, with how much has arrived.
        await Expect(page.Locator("[data-testid=step][data-step=browser-upload]")).ToHaveAttributeAsync("data-state", "Succeeded");
        await Expect(page.Locator("[data-testid=step][data-step=browser-upload]")).ToContainTextAsync("0.2 MiB received");
        await Expect(page.GetByTestId("banner").Filter(new() { HasText = "Template 9100 is ready." })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=step][data-step=ssh]")).ToHaveCountAsync(0);
        await Screenshots.SaveAsync(page, "proxmox-10-template-imported");
        var upload = _pve.Last("POST", "/nodes/{node}/storage/{storage}/upload");
        Assert.Equal((200_000L, "import"), (upload.UploadedBytes, upload["content"]));
        Assert.True(_pve.Vms.IsTemplate(9100));
        // The staged copy of the upload is gone once the template exists.
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_panel.DataDirectory, "uploads")));
        Assert.True(_problems.Count == 0, "the browser reported errors: " + string.Join(" | ", _problems));
    }

    private async Task ConnectThroughTheServiceAsync()
    {
        var admin = new PanelOperator(new AuditActor("admin", "127.0.0.1"), true);
        var connector = _panel.Services.GetRequiredService<ProxmoxConnector>();
        var request = new Appliance.Proxmox.Workflows.Connect.ConnectionCheckRequest { BaseUrl = _pve.BaseUrl, TokenId = FakePveServer.TokenId, Secret = FakePveServer.Secret, Fingerprint = _pve.Fingerprint, FingerprintConfirmedOnScreen = true };
        var result = await connector.CheckAsync(admin, request);
        Assert.True(result.Connected, result.Error);
        await connector.SaveAsync(admin, request, result);
    }

    /// <summary>First run in the browser: the setup page creates the admin, who is then signed in.</summary>
    private async Task<IPage> SignedInPageAsync()
    {
        var page = await chromium.NewPageAsync();
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
                _problems.Add($"{response.Status} {response.Url}");
        };
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && ChromiumFixture.IsPanelProblem(message.Text))
                _problems.Add(message.Text);
        };
        await page.GotoAsync(_panel.Url("/setup"));
        await page.FillAsync("#user-name", "admin");
        await page.FillAsync("#password", Password);
        await page.FillAsync("#confirm-password", Password);
        await page.GetByTestId("create-admin").ClickAsync();
        await Expect(page).ToHaveURLAsync(_panel.Url("/"));
        return page;
    }
}

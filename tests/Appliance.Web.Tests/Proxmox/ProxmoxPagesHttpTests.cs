using System.Net;
using Appliance.Proxmox.Tests.FakePve;
using Appliance.Web.Agents;
using Appliance.Web.Audit;
using Appliance.Web.Proxmox;
using Appliance.Web.Tests.Http;
using Appliance.Web.Users;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Web.Tests.Proxmox;

/// <summary>The Proxmox pages as served (prerendered) to signed-in users of each role.</summary>
public sealed class ProxmoxPagesHttpTests : IAsyncLifetime, IDisposable
{
    private const string ViewerPassword = "viewer password 1";
    private static readonly string[] Pages = ["/proxmox", "/proxmox/vm", "/proxmox/preflight", "/proxmox/deploy", "/proxmox/template"];
    private readonly PanelFactory _panel = new();
    private FakePveServer _pve = default!;

    public async Task InitializeAsync()
    {
        _pve = await FakePveServer.StartAsync();
        PveScenario.Cluster(_pve);
        PveScenario.ApplianceVm(_pve, pppoeFirewallOn: true, DateTimeOffset.UtcNow);
    }

    public async Task DisposeAsync() => await _pve.DisposeAsync();

    public void Dispose() => _panel.Dispose();

    private async Task ConnectAsync()
    {
        var admin = new PanelOperator(new AuditActor("admin", null), true);
        var connector = _panel.Services.GetRequiredService<ProxmoxConnector>();
        var request = new Appliance.Proxmox.Workflows.Connect.ConnectionCheckRequest { BaseUrl = _pve.BaseUrl, TokenId = FakePveServer.TokenId, Secret = FakePveServer.Secret, Fingerprint = _pve.Fingerprint, FingerprintConfirmedOnScreen = true };
        await connector.SaveAsync(admin, request, await connector.CheckAsync(admin, request));
        await _panel.Services.GetRequiredService<ApplianceVmService>().ChooseAsync(admin, PveScenario.Node, PveScenario.ApplianceVmId, "vmbr1");
    }

    [Fact]
    public async Task A_viewer_sees_every_proxmox_page_with_status_and_checks_but_no_action()
    {
        (await _panel.SetUpAsync()).Dispose();
        await _panel.AddUserAsync("watcher", ViewerPassword, PanelRoles.Viewer);
        await ConnectAsync();
        using var viewer = await _panel.SignedInClientAsync("watcher", ViewerPassword);

        var html = new Dictionary<string, string>();
        foreach (var page in Pages)
        {
            var response = await viewer.GetAsync(page);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {page}: {(int)response.StatusCode}");
            html[page] = await response.Content.ReadAsStringAsync();
        }

        Assert.Contains(_pve.Fingerprint, html["/proxmox"], StringComparison.Ordinal);
        Assert.DoesNotContain("check-connection", html["/proxmox"], StringComparison.Ordinal);
        Assert.DoesNotContain(FakePveServer.Secret, string.Concat(html.Values), StringComparison.Ordinal);
        Assert.Matches("data-testid=\"vm-state\"[^>]*>running<", html["/proxmox/vm"]);
        Assert.DoesNotContain("power-actions", html["/proxmox/vm"], StringComparison.Ordinal);
        Assert.Contains("data-check=\"nic-firewall-off\" data-passed=\"false\"", html["/proxmox/preflight"], StringComparison.Ordinal);
        Assert.Contains("An admin can fix this from here", html["/proxmox/preflight"], StringComparison.Ordinal);
        Assert.DoesNotContain("fix-nic-firewall-off", html["/proxmox/preflight"], StringComparison.Ordinal);
        Assert.Contains("Only an admin can do this", html["/proxmox/deploy"], StringComparison.Ordinal);
        Assert.Contains("Only an admin can do this", html["/proxmox/template"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_proxmox_down_the_pages_show_the_operator_message_in_a_banner()
    {
        (await _panel.SetUpAsync()).Dispose();
        await ConnectAsync();
        using var admin = await _panel.SignedInClientAsync();
        var authority = _pve.BaseUrl.Authority;
        await _pve.DisposeAsync();

        foreach (var page in new[] { "/proxmox/vm", "/proxmox/preflight", "/proxmox/deploy" })
        {
            var response = await admin.GetAsync(page);
            string body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("role=\"alert\" data-testid=\"banner\"", body, StringComparison.Ordinal);
            Assert.Contains(authority, body, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        }
    }
}

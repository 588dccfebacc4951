using Appliance.Proxmox.Access;
using Appliance.Proxmox.Workflows;
using Appliance.Proxmox.Workflows.Deploy;
using Appliance.Proxmox.Workflows.Preflight;
using Appliance.Web.Agents;
using Appliance.Web.Components.Pages.Proxmox;
using Appliance.Web.Proxmox;
using Appliance.Web.Users;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Web.Tests.Proxmox;

/// <summary>The Proxmox pages' parts rendered alone: privilege list, pre-flight results with fix buttons, deploy progress, connect form.</summary>
public sealed class ProxmoxComponentTests : IDisposable
{
    private readonly ProxmoxComponentContext _context = new();

    public void Dispose() => _context.Dispose();

    private static PreflightReport Report(params PreflightCheck[] checks) => new("pve", 100, "vmbr1", checks);

    private static readonly NicFix FirewallFix = new(PreflightCheckIds.NicFirewallOff, "set firewall=0 on net1", 1, "virtio=BC:24:11:00:00:02,bridge=vmbr1,firewall=0", "abc");

    [Fact]
    public void Privilege_list_names_each_missing_privilege_with_its_path_and_purpose_and_the_grant_command()
    {
        var list = _context.Render<PrivilegeList>(p => p
            .Add(c => c.Missing, [
                new PrivilegeRequirement("/vms", "VM.GuestAgent.FileRead", "read the agent's certificate fingerprint through the guest agent"),
                new PrivilegeRequirement("/sdn/zones/localnetwork/vmbr1", "SDN.Use", "attach a NIC to bridge vmbr1"),
            ])
            .Add(c => c.Commands, ["pveum acl modify /vms --roles ApplianceL2Vpn --tokens 'panel@pve!appliance'"]));

        var rows = list.FindAll("[data-testid=missing-privilege]");
        Assert.Equal(2, rows.Count);
        Assert.Equal(["/vms", "VM.GuestAgent.FileRead"], rows[0].QuerySelectorAll("code").Select(c => c.TextContent));
        Assert.Contains("attach a NIC to bridge vmbr1", rows[1].TextContent, StringComparison.Ordinal);
        Assert.Contains("pveum acl modify /vms", list.Find("[data-testid=privilege-advice]").TextContent, StringComparison.Ordinal);
        Assert.Contains("lacks 2 privilege(s)", list.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Privilege_list_with_nothing_missing_says_the_token_is_complete()
    {
        var list = _context.Render<PrivilegeList>(p => p.Add(c => c.Missing, []));

        Assert.Empty(list.FindAll("[data-testid=missing-privilege]"));
        Assert.Contains("every privilege", list.Find("[data-testid=privileges-complete]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Preflight_results_show_each_check_and_a_fix_that_runs_only_after_confirmation()
    {
        PreflightFixRequest? requested = null;
        var results = _context.Render<PreflightResults>(p => p
            .Add(c => c.Report, Report(
                new PreflightCheck(PreflightCheckIds.BridgeExists, true, "bridge vmbr1 exists on node pve"),
                new PreflightCheck(PreflightCheckIds.NicFirewallOff, false, "net1 of VM 100 has the Proxmox firewall on: its MAC filter drops frames", FirewallFix),
                new PreflightCheck(PreflightCheckIds.BridgePhysicalPort, false, "bridge vmbr1 has no bridge port")))
            .Add(c => c.CanFix, true)
            .Add(c => c.OnFix, EventCallback.Factory.Create<PreflightFixRequest>(this, r => requested = r)));

        var checks = results.FindAll("[data-testid=check]");
        Assert.Equal(["true", "false", "false"], checks.Select(c => c.GetAttribute("data-passed")));
        Assert.Contains("The Proxmox firewall is off on that NIC", checks[1].TextContent, StringComparison.Ordinal);
        Assert.Contains("MAC filter", checks[1].TextContent, StringComparison.Ordinal);
        Assert.Empty(checks[0].QuerySelectorAll("button"));
        Assert.Empty(checks[2].QuerySelectorAll("button"));

        results.Find("[data-testid=fix-nic-firewall-off]").Click();
        Assert.Null(requested);
        Assert.Contains("Change VM 100 now (set firewall=0 on net1)?", results.Markup, StringComparison.Ordinal);
        results.Find("[data-testid=fix-nic-firewall-off-confirm]").Click();

        Assert.Equal(new PreflightFixRequest(FirewallFix, null), requested);
    }

    [Fact]
    public void A_viewer_sees_what_the_fix_would_do_but_no_button()
    {
        var results = _context.Render<PreflightResults>(p => p
            .Add(c => c.Report, Report(new PreflightCheck(PreflightCheckIds.NicFirewallOff, false, "firewall on", FirewallFix)))
            .Add(c => c.CanFix, false));

        Assert.Empty(results.FindAll("button"));
        Assert.Contains("An admin can fix this from here: set firewall=0 on net1.", results.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bridge_fix_with_several_free_nics_waits_for_the_port_and_passes_it_on()
    {
        PreflightFixRequest? requested = null;
        var fix = new BridgeFix(PreflightCheckIds.BridgeExists, "create bridge vmbr1", "vmbr1", true, ["enp2s0", "enp3s0"], [], 1500);
        var results = _context.Render<PreflightResults>(p => p
            .Add(c => c.Report, Report(new PreflightCheck(PreflightCheckIds.BridgeExists, false, "bridge vmbr1 does not exist", fix)))
            .Add(c => c.CanFix, true)
            .Add(c => c.OnFix, EventCallback.Factory.Create<PreflightFixRequest>(this, r => requested = r)));

        Assert.True(results.Find("[data-testid=fix-bridge-exists]").HasAttribute("disabled"));
        Assert.Equal(["", "enp2s0", "enp3s0"], results.FindAll("[data-testid=port-bridge-exists] option").Select(o => o.GetAttribute("value")));
        results.Find("[data-testid=port-bridge-exists]").Change("enp3s0");
        results.Find("[data-testid=fix-bridge-exists]").Click();
        results.Find("[data-testid=fix-bridge-exists-confirm]").Click();

        Assert.Equal(new PreflightFixRequest(fix, "enp3s0"), requested);
    }

    [Fact]
    public void Deploy_progress_shows_one_line_per_step_with_its_latest_state()
    {
        var log = new StepLog();
        log.Report(new WorkflowStep("clone", StepState.Started, "cloning template 9000 to VM 101"));
        log.Report(new WorkflowStep("clone", StepState.Succeeded, "VM 101 cloned"));
        log.Report(new WorkflowStep("wait-guest-agent", StepState.Waiting, "waiting for the guest to boot"));

        var progress = _context.Render<StepProgress>(p => p.Add(c => c.Steps, log.Steps));

        var steps = progress.FindAll("[data-testid=step]");
        Assert.Equal(["clone", "wait-guest-agent"], steps.Select(s => s.GetAttribute("data-step")));
        Assert.Equal(["Succeeded", "Waiting"], steps.Select(s => s.GetAttribute("data-state")));
        Assert.Contains("Clone the template", steps[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("VM 101 cloned", steps[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("Wait for the guest agent", steps[1].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_step_is_marked_and_the_result_view_says_where_and_why()
    {
        var progress = _context.Render<StepProgress>(p => p.Add(c => c.Steps, [new WorkflowStep("clone", StepState.Failed, "clone failed: can't lock file")]));
        var result = _context.Render<DeployResultView>(p => p.Add(c => c.Outcome,
            new DeployOutcome(new DeployResult { FailedStep = "clone", Error = "clone failed: can't lock file" }, null, null)));

        Assert.Contains("pve-step-failed", progress.Find("[data-testid=step]").ClassName, StringComparison.Ordinal);
        // The step by its title, never its id; the reason as a sentence.
        Assert.Equal("The deploy stopped at “Clone the template”. Clone failed: can't lock file.", result.Find("[data-testid=banner]").TextContent.Trim());
    }

    [Theory]
    [InlineData("read-fingerprint", "Read the agent's certificate fingerprint")]
    [InlineData("check", "Check the choices")]
    [InlineData("image", "Check the image")]
    [InlineData("no-such-step", "a step")]
    [InlineData(null, "a step")]
    public void Steps_are_named_by_their_title_never_by_their_id(string? id, string title)
        => Assert.Equal(title, StepText.Title(_context.Services.GetRequiredService<Microsoft.Extensions.Localization.IStringLocalizer<ProxmoxText>>(), id));

    [Fact]
    public void A_deploy_whose_agent_could_not_be_registered_shows_what_to_pair_by_hand()
    {
        var deployed = new DeployResult { VmId = 101, AgentUrl = new Uri("https://192.0.2.50:7443"), AgentFingerprint = "AB:CD", PairingToken = "token-shown-once" };

        var view = _context.Render<DeployResultView>(p => p.Add(c => c.Outcome, new DeployOutcome(deployed, null, "an agent named 'x' is already paired")));

        Assert.Equal("token-shown-once", view.Find("[data-testid=pairing-token]").TextContent);
        Assert.Contains("already paired", view.Find("[data-testid=banner]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_paired_deploy_never_shows_the_token()
    {
        var deployed = new DeployResult { VmId = 101, AgentUrl = new Uri("https://192.0.2.50:7443"), AgentFingerprint = "AB:CD", PairingToken = "token-shown-once" };
        var agent = new PairedAgent(1, "l2vpn-1", deployed.AgentUrl, "AB:CD", DateTimeOffset.UnixEpoch, "admin");

        var view = _context.Render<DeployResultView>(p => p.Add(c => c.Outcome, new DeployOutcome(deployed, agent, null)));

        Assert.DoesNotContain("token-shown-once", view.Markup, StringComparison.Ordinal);
        Assert.Equal("https://192.0.2.50:7443/", view.Find("[data-testid=agent-url]").TextContent);
    }

    [Fact]
    public void Connect_form_names_each_wrong_field_and_keeps_what_was_typed()
    {
        var page = _context.Render<ProxmoxPage>();
        page.Find("#pve-url").Change("http://pve.lan:8006/api2");
        page.Find("#pve-token").Change("panel@pve");
        page.Find("#pve-secret").Change("");
        page.Find("#pve-fingerprint").Change("AB:CD");
        page.Find("form").Submit();

        Assert.Equal("Enter https:// with host and port only, e.g. https://pve.lan:8006.", MessageOf(page, "#pve-url"));
        Assert.Equal("Enter the full token id USER@REALM!TOKENID, e.g. panel@pve!appliance.", MessageOf(page, "#pve-token"));
        Assert.NotNull(MessageOf(page, "#pve-secret"));
        Assert.Equal("Enter a SHA-256 fingerprint: 32 bytes in hex, colons optional.", MessageOf(page, "#pve-fingerprint"));
        Assert.Equal("http://pve.lan:8006/api2", page.Find("#pve-url").GetAttribute("value"));
        Assert.Equal("panel@pve", page.Find("#pve-token").GetAttribute("value"));
        Assert.Empty(page.FindAll("[data-testid=check-result]"));
    }

    [Fact]
    public void A_viewer_sees_the_connection_but_no_connect_form()
    {
        using var viewer = new ProxmoxComponentContext(PanelRoles.Viewer, "victor");

        var page = viewer.Render<ProxmoxPage>();

        Assert.Empty(page.FindAll("form"));
        Assert.Contains("No Proxmox host is connected yet.", page.Find("[data-testid=stored-site]").TextContent, StringComparison.Ordinal);
    }

    private static string? MessageOf(IRenderedComponent<ProxmoxPage> page, string input) =>
        page.Find(input).Closest(".field")?.QuerySelector(".validation-message")?.TextContent;
}

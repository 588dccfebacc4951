using System.Text;
using Appliance.Proxmox.Models;
using Appliance.Proxmox.Tests.FakePve;
using Appliance.Proxmox.Workflows;
using Appliance.Proxmox.Workflows.Deploy;
using Appliance.Proxmox.Workflows.Operations;
using Appliance.Proxmox.Workflows.Preflight;
using Appliance.Web.Agents;
using Appliance.Web.Audit;
using Appliance.Web.Proxmox;

namespace Appliance.Web.Tests.Proxmox;

/// <summary>The Proxmox pages' services against the schema-generated node: what is stored, audited and refused.</summary>
public sealed class ProxmoxServiceTests
{
    private static DeployRequest Deploy() => new()
    {
        Node = PveScenario.Node,
        TemplateVmId = PveScenario.TemplateVmId,
        Name = "l2vpn-2",
        PppoeBridge = "vmbr1",
    };

    private static async Task<string> EverythingStoredAsync(ProxmoxServicesHarness harness)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var audit = await harness.Audit.QueryAsync(new AuditQuery());
        var path = harness.Database.DatabasePath;
        var bytes = File.ReadAllBytes(path).Concat(File.Exists(path + "-wal") ? File.ReadAllBytes(path + "-wal") : []).ToArray();
        return Encoding.Latin1.GetString(bytes) + string.Join("\n", audit.Select(a => $"{a.Action} {a.Target} {a.Detail}"));
    }

    [Fact]
    public async Task First_contact_shows_the_fingerprint_and_missing_privileges_and_saving_pins_it_with_the_secret_kept_out_of_the_database_and_audit()
    {
        await using var harness = await ProxmoxServicesHarness.StartAsync();
        PveScenario.Cluster(harness.Pve, "SDN.Use", "VM.GuestAgent.FileRead");
        var shown = await harness.Connector.CheckAsync(ProxmoxServicesHarness.Admin, harness.ConnectRequest());
        var request = harness.ConnectRequest(shown.FingerprintSeen) with { FingerprintConfirmedOnScreen = true };

        var result = await harness.Connector.CheckAsync(ProxmoxServicesHarness.Admin, request);
        await harness.Connector.SaveAsync(ProxmoxServicesHarness.Admin, request, result);
        var site = await harness.Sites.ReadAsync();
        var nodes = await harness.Connector.ReadNodesAsync();

        Assert.True(shown.NeedsConfirmation);
        Assert.True(result.TrustedOnFirstContact);
        Assert.Equal(harness.Pve.Fingerprint, result.FingerprintSeen);
        Assert.Contains(result.MissingPrivileges, m => m.Privilege == "SDN.Use" && m.Path == "/sdn/zones/localnetwork/vmbr1");
        Assert.Contains(result.MissingPrivileges, m => m.Privilege == "VM.GuestAgent.FileRead" && m.Path == "/vms");
        Assert.Equal(harness.Pve.Fingerprint, site!.Fingerprint);
        Assert.NotNull(site.ClusterCaPem);
        Assert.Equal(PveScenario.Node, Assert.Single(nodes.Value!).Node);
        var stored = await EverythingStoredAsync(harness);
        Assert.DoesNotContain(FakePveServer.Secret, stored, StringComparison.Ordinal);
        Assert.Contains(ProxmoxAuditActions.Connected, stored, StringComparison.Ordinal);
        Assert.Contains("SDN.Use on /sdn/zones/localnetwork/vmbr1", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fingerprint_that_does_not_match_is_refused_and_nothing_can_be_saved()
    {
        await using var harness = await ProxmoxServicesHarness.StartAsync();
        PveScenario.Cluster(harness.Pve);
        var request = harness.ConnectRequest(fingerprint: string.Join(':', Enumerable.Repeat("AB", 32)));

        var result = await harness.Connector.CheckAsync(ProxmoxServicesHarness.Admin, request);

        Assert.False(result.Connected);
        Assert.Contains("not the expected", result.Error, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => harness.Connector.SaveAsync(ProxmoxServicesHarness.Admin, request, result));
        Assert.Null(await harness.Sites.ReadAsync());
        Assert.DoesNotContain(harness.Pve.Requests, r => r.Path == "/version");
    }

    [Fact]
    public async Task A_viewer_can_read_but_cannot_connect_power_fix_deploy_or_import()
    {
        await using var harness = await ProxmoxServicesHarness.StartAsync();
        PveScenario.Cluster(harness.Pve);
        PveScenario.ApplianceVm(harness.Pve, pppoeFirewallOn: true, harness.Time.GetUtcNow());
        await harness.ConnectAsync();
        var viewer = ProxmoxServicesHarness.Viewer;
        var report = (await harness.Preflight.CheckAsync()).Value!;

        Assert.True((await harness.Vm.ReadAsync(RrdTimeframe.Hour)).Succeeded);
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => harness.Connector.CheckAsync(viewer, harness.ConnectRequest()));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => harness.Vm.PowerAsync(viewer, VmPowerAction.Stop));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => harness.Preflight.ApplyFixAsync(viewer, report, report.Failures.First().Fix!));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => harness.Deploy.DeployAsync(viewer, Deploy(), null));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => harness.Templates.ImportAsync(viewer, new TemplateImportChoices
        {
            Node = "pve", Name = "t", ImportStorage = "local", DiskStorage = "local-lvm", Bridge = "vmbr0",
        }, "/nonexistent.qcow2", "a.qcow2", null));
        Assert.Equal("running", harness.Pve.Vms.Status(PveScenario.ApplianceVmId));
        Assert.DoesNotContain(harness.Pve.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task Stop_powers_off_the_chosen_vm_and_is_audited_with_its_outcome()
    {
        await using var harness = await ProxmoxServicesHarness.StartAsync();
        PveScenario.Cluster(harness.Pve);
        PveScenario.ApplianceVm(harness.Pve, pppoeFirewallOn: false, harness.Time.GetUtcNow());
        await harness.ConnectAsync();

        var message = await harness.Vm.PowerAsync(ProxmoxServicesHarness.Admin, VmPowerAction.Stop);

        Assert.Equal(MessageLevel.Success, message.Level);
        Assert.Equal("stopped", harness.Pve.Vms.Status(PveScenario.ApplianceVmId));
        var entry = (await harness.Audit.QueryAsync(new AuditQuery(Action: ProxmoxAuditActions.PowerAction)))[0];
        Assert.Equal(("alice", "VM 100 on pve"), (entry.UserName, entry.Target));
        Assert.StartsWith("stop: Success", entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Firewall_fix_turns_the_pppoe_nic_firewall_off_is_audited_and_the_checks_then_pass()
    {
        await using var harness = await ProxmoxServicesHarness.StartAsync();
        PveScenario.Cluster(harness.Pve);
        PveScenario.ApplianceVm(harness.Pve, pppoeFirewallOn: true, harness.Time.GetUtcNow());
        await harness.ConnectAsync();

        var reading = await harness.Preflight.CheckAsync();
        var report = reading.Value ?? throw new InvalidOperationException(reading.Problem);
        var failed = Assert.Single(report.Failures);
        var message = await harness.Preflight.ApplyFixAsync(ProxmoxServicesHarness.Admin, report, failed.Fix!);
        var again = (await harness.Preflight.CheckAsync()).Value!;

        Assert.Equal(PreflightCheckIds.NicFirewallOff, failed.Id);
        Assert.Equal(MessageLevel.Success, message.Level);
        Assert.True(again.Passed);
        var entry = (await harness.Audit.QueryAsync(new AuditQuery(Action: ProxmoxAuditActions.PreflightFixed)))[0];
        Assert.Equal("VM 100 on pve net1", entry.Target);
    }

    [Fact]
    public async Task Deploy_pairs_the_new_agent_chooses_the_new_vm_and_keeps_the_token_out_of_the_audit_log()
    {
        await using var harness = await ProxmoxServicesHarness.StartAsync();
        PveScenario.Cluster(harness.Pve);
        PveScenario.TemplateAndGuest(harness.Pve);
        await harness.ConnectAsync(chooseVm: false);
        var steps = new StepLog();

        var outcome = await harness.Deploy.DeployAsync(ProxmoxServicesHarness.Admin, Deploy(), steps);

        Assert.True(outcome.Result.Succeeded, outcome.Result.Error);
        var agent = Assert.Single(await harness.Agents.ListAsync());
        Assert.Equal(("l2vpn-2", new Uri($"https://{PveScenario.GuestAddress}:7443"), PveScenario.AgentFingerprint), (agent.Name, agent.Url, agent.Fingerprint));
        Assert.Equal(outcome.Agent, agent);
        Assert.Equal(PveScenario.NextVmId, (await harness.Sites.ReadAsync())!.VmId);
        Assert.Equal(["reserve-id", "clone", "configure", "start", "wait-guest-agent", "write-pairing-token", "read-fingerprint", "find-address", "paired"],
            steps.Steps.Select(s => s.Id));
        Assert.All(steps.Steps, s => Assert.Equal(StepState.Succeeded, s.State));
        var stored = await EverythingStoredAsync(harness);
        Assert.Contains(AgentAuditActions.AgentPaired, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(outcome.Result.PairingToken!, stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_writes_the_address_the_operator_entered_into_the_new_agents_profiles()
    {
        await using var harness = await ProxmoxServicesHarness.StartAsync();
        PveScenario.Cluster(harness.Pve);
        PveScenario.TemplateAndGuest(harness.Pve);
        await harness.ConnectAsync(chooseVm: false);

        var outcome = await harness.Deploy.DeployAsync(ProxmoxServicesHarness.Admin, Deploy(), null, new DialAddress("vpn.example.net", 0, 0));

        Assert.True(outcome.Result.Succeeded, outcome.Result.Error);
        Assert.Null(outcome.DialProblem);
        Assert.Equal("vpn.example.net", harness.Agent.Config.Profiles.ServerHost);
        var entry = Assert.Single(await harness.Audit.QueryAsync(new AuditQuery(Action: AgentAuditActions.DialAddressChanged)));
        Assert.Equal("l2vpn-2", entry.Target);
    }

    [Fact]
    public async Task Deploy_that_cannot_set_the_address_says_so_and_keeps_the_paired_agent()
    {
        await using var harness = await ProxmoxServicesHarness.StartAsync();
        PveScenario.Cluster(harness.Pve);
        PveScenario.TemplateAndGuest(harness.Pve);
        await harness.ConnectAsync(chooseVm: false);
        harness.Agent.IsDown = true;

        var outcome = await harness.Deploy.DeployAsync(ProxmoxServicesHarness.Admin, Deploy(), null, new DialAddress("vpn.example.net", 0, 0));

        Assert.True(outcome.Result.Succeeded, outcome.Result.Error);
        Assert.NotNull(outcome.Agent);
        Assert.Contains("not reachable", outcome.DialProblem, StringComparison.Ordinal);
        Assert.Equal("vm", harness.Agent.Config.Profiles.ServerHost);
    }

    [Fact]
    public async Task Deploy_on_a_node_that_stalls_ends_with_a_visible_failure_the_vm_removed_and_an_audit_entry()
    {
        await using var harness = await ProxmoxServicesHarness.StartAsync();
        PveScenario.Cluster(harness.Pve);
        PveScenario.TemplateAndGuest(harness.Pve);
        await harness.ConnectAsync(chooseVm: false);
        var steps = new StepLog();
        steps.Changed += () =>
        {
            if (steps.Steps is [.., { Id: "start", State: StepState.Started }] && harness.Pve.Stall.Stalled == 0)
                harness.Pve.Stall.StallNext(1);
        };

        var outcome = await harness.Deploy.DeployAsync(ProxmoxServicesHarness.Admin, Deploy(), steps);

        Assert.False(outcome.Result.Succeeded);
        Assert.Equal("start", outcome.Result.FailedStep);
        Assert.Contains("did not set up a connection", outcome.Result.Error, StringComparison.Ordinal);
        Assert.Null(harness.Pve.Vms.Config(PveScenario.NextVmId));
        Assert.Empty(await harness.Agents.ListAsync());
        var entry = Assert.Single(await harness.Audit.QueryAsync(new AuditQuery(Action: ProxmoxAuditActions.DeployFailed)));
        Assert.Contains("failed at start", entry.Detail, StringComparison.Ordinal);
        Assert.Contains("was removed again", entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_cancelled_by_the_operator_is_cleaned_up_and_audited()
    {
        await using var harness = await ProxmoxServicesHarness.StartAsync();
        PveScenario.Cluster(harness.Pve);
        PveScenario.TemplateAndGuest(harness.Pve);
        await harness.ConnectAsync(chooseVm: false);
        harness.Pve.Fail("POST", "/nodes/{node}/qemu/{vmid}/agent/ping", 500, "QEMU guest agent is not running");
        using var cancel = new CancellationTokenSource();
        var steps = new StepLog();
        steps.Changed += () =>
        {
            if (steps.Steps is [.., { Id: "wait-guest-agent", State: StepState.Waiting }])
                cancel.Cancel();
        };

        var outcome = await harness.Deploy.DeployAsync(ProxmoxServicesHarness.Admin, Deploy(), steps, cancellationToken: cancel.Token);

        Assert.Equal("wait-guest-agent", outcome.Result.FailedStep);
        Assert.Contains("cancelled", outcome.Result.Error, StringComparison.Ordinal);
        Assert.Null(harness.Pve.Vms.Config(PveScenario.NextVmId));
        var entry = Assert.Single(await harness.Audit.QueryAsync(new AuditQuery(Action: ProxmoxAuditActions.DeployFailed)));
        Assert.Contains("The deploy was cancelled.", entry.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../../version", 100, "is not a node name")]
    [InlineData("elsewhere", 100, "node 'elsewhere' is not in this cluster")]
    [InlineData(PveScenario.Node, 777, "there is no VM 777 on node")]
    [InlineData(PveScenario.Node, PveScenario.TemplateVmId, "is a template")]
    public async Task Choosing_the_appliance_vm_refuses_a_bad_node_a_missing_vm_and_a_template(string node, int vmId, string expected)
    {
        await using var harness = await ProxmoxServicesHarness.StartAsync();
        PveScenario.Cluster(harness.Pve);
        PveScenario.ApplianceVm(harness.Pve, pppoeFirewallOn: false, harness.Time.GetUtcNow());
        PveScenario.TemplateAndGuest(harness.Pve);
        await harness.ConnectAsync(chooseVm: false);

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => harness.Vm.ChooseAsync(ProxmoxServicesHarness.Admin, node, vmId, "vmbr1"));

        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
        Assert.Null((await harness.Sites.ReadAsync())!.VmId);
        Assert.Empty(await harness.Audit.QueryAsync(new AuditQuery(Action: ProxmoxAuditActions.ApplianceVmChosen)));
    }

    [Fact]
    public async Task Deploy_refuses_one_bridge_for_both_nics_before_anything_is_made()
    {
        await using var harness = await ProxmoxServicesHarness.StartAsync();
        PveScenario.Cluster(harness.Pve);
        PveScenario.TemplateAndGuest(harness.Pve);
        await harness.ConnectAsync(chooseVm: false);

        var outcome = await harness.Deploy.DeployAsync(ProxmoxServicesHarness.Admin, Deploy() with { ClientBridge = "vmbr1" }, null);

        Assert.Equal("check", outcome.Result.FailedStep);
        Assert.Contains("both on bridge vmbr1", outcome.Result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(harness.Pve.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task Deploy_choices_flag_the_bridge_that_carries_the_hosts_own_address()
    {
        await using var harness = await ProxmoxServicesHarness.StartAsync();
        PveScenario.Cluster(harness.Pve);
        harness.Pve.Respond("GET", "/nodes/{node}/network", new object[]
        {
            new { iface = "vmbr0", type = "bridge", cidr = "192.168.1.2/24", active = 1 },
            new { iface = "vmbr1", type = "bridge", active = 1 },
        });
        await harness.ConnectAsync(chooseVm: false);

        var choices = (await harness.Deploy.ReadChoicesAsync()).Value!;

        Assert.Equal(["vmbr0", "vmbr1"], choices.Bridges);
        Assert.Equal(new Dictionary<string, string> { ["vmbr0"] = "192.168.1.2/24" }, choices.BridgeAddresses);
    }

    [Fact]
    public async Task A_deployed_vm_has_the_proxmox_firewall_on_for_the_clients_nic()
    {
        await using var harness = await ProxmoxServicesHarness.StartAsync();
        PveScenario.Cluster(harness.Pve);
        PveScenario.TemplateAndGuest(harness.Pve);
        await harness.ConnectAsync(chooseVm: false);

        var outcome = await harness.Deploy.DeployAsync(ProxmoxServicesHarness.Admin, Deploy(), null);

        Assert.True(outcome.Result.Succeeded, outcome.Result.Error);
        Assert.Contains("bridge=vmbr0,firewall=1", harness.Pve.Vms.Config(PveScenario.NextVmId)!["net0"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_browser_upload_is_staged_reporting_what_has_arrived_about_every_mib()
    {
        await using var harness = await ProxmoxServicesHarness.StartAsync();
        var image = Appliance.Proxmox.Tests.Support.Qcow2.Image(3 * 1048576 + 10);
        var seen = new List<long>();

        var path = await harness.Templates.StageAsync(new MemoryStream(image), "appliance-1.0.qcow2", new SynchronousProgress(seen.Add));
        try
        {
            Assert.Equal(image, await File.ReadAllBytesAsync(path));
            Assert.Equal([1048576, 2097152, 3145728, image.Length], seen);
        }
        finally
        {
            harness.Templates.Unstage(path);
        }
    }

    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }

    [Fact]
    public async Task A_proxmox_that_is_down_reads_as_an_operator_message()
    {
        var harness = await ProxmoxServicesHarness.StartAsync();
        PveScenario.Cluster(harness.Pve);
        PveScenario.ApplianceVm(harness.Pve, pppoeFirewallOn: false, harness.Time.GetUtcNow());
        await harness.ConnectAsync();
        await harness.Pve.DisposeAsync();

        var reading = await harness.Vm.ReadAsync(RrdTimeframe.Day);
        var nodes = await harness.Connector.ReadNodesAsync();

        Assert.False(reading.Succeeded);
        Assert.Contains(harness.Pve.BaseUrl.Authority, reading.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", reading.Problem, StringComparison.Ordinal);
        Assert.False(nodes.Succeeded);
        await harness.DisposeAsync();
    }

    [Fact]
    public async Task Template_import_without_an_import_storage_asks_for_ssh_and_says_why()
    {
        await using var harness = await ProxmoxServicesHarness.StartAsync();
        PveScenario.Cluster(harness.Pve);
        harness.Pve.Respond("GET", "/nodes/{node}/storage", new object[] { new { storage = "local", type = "dir", content = "iso,vztmpl,backup", active = 1, enabled = 1 } });
        await harness.ConnectAsync(chooseVm: false);
        var image = Path.Combine(Path.GetTempPath(), $"appliance-{Guid.NewGuid():N}.qcow2");
        await File.WriteAllBytesAsync(image, Appliance.Proxmox.Tests.Support.Qcow2.Image(64));
        try
        {
            var outcome = await harness.Templates.ImportAsync(ProxmoxServicesHarness.Admin, new TemplateImportChoices
            {
                Node = "pve", Name = "l2vpn-appliance-template", ImportStorage = "local", DiskStorage = "local-lvm", Bridge = "vmbr0",
            }, image, "appliance.qcow2", null);

            Assert.True(outcome.NeedsSsh);
            Assert.Contains("'import' content type", outcome.Result.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(harness.Pve.Requests, r => r.Method == "POST");
            var entry = (await harness.Audit.QueryAsync(new AuditQuery(Action: ProxmoxAuditActions.TemplateImportFailed)))[0];
            Assert.Contains("appliance.qcow2", entry.Detail, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(image);
        }
    }

    [Fact]
    public async Task Template_import_over_ssh_shows_the_host_key_first_and_once_it_is_pinned_runs_with_the_key_kept_protected()
    {
        await using var harness = await ProxmoxServicesHarness.StartAsync();
        PveScenario.Cluster(harness.Pve);
        harness.Pve.Respond("GET", "/nodes/{node}/storage", new object[] { new { storage = "local", type = "dir", content = "iso,vztmpl,backup", active = 1, enabled = 1 } });
        await harness.ConnectAsync(chooseVm: false);
        const string Key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAAC2tleS1mb3ItdGhlLXRlc3Q=\n-----END OPENSSH PRIVATE KEY-----\n";
        var ssh = new Appliance.Proxmox.Ssh.SshHostSettings { Host = "127.0.0.1", PrivateKey = Key };
        var image = Path.Combine(Path.GetTempPath(), $"appliance-{Guid.NewGuid():N}.qcow2");
        await File.WriteAllBytesAsync(image, Appliance.Proxmox.Tests.Support.Qcow2.Image(5000));
        try
        {
            var choices = new TemplateImportChoices
            {
                Node = "pve", VmId = 9100, Name = "l2vpn-appliance-template", ImportStorage = "local", DiskStorage = "local-lvm", Bridge = "vmbr0", Ssh = ssh,
            };
            var shown = await harness.Templates.ImportAsync(ProxmoxServicesHarness.Admin, choices, image, "appliance-1.0.qcow2", null);
            await harness.Templates.PinSshAsync(ProxmoxServicesHarness.Admin, ssh, shown.Result.SshHostKeyToConfirm!);
            var outcome = await harness.Templates.ImportAsync(ProxmoxServicesHarness.Admin,
                choices with { Ssh = ssh with { PinnedHostKey = shown.Result.SshHostKeyToConfirm } }, image, "appliance-1.0.qcow2", null);
            var site = await harness.Sites.ReadAsync();
            var stored = await harness.Templates.StoredSshAsync();

            Assert.Equal(harness.Shell.HostKeyFingerprint, shown.Result.SshHostKeyToConfirm);
            Assert.False(shown.NeedsSsh);
            Assert.True(outcome.Result.Succeeded, outcome.Result.Error);
            Assert.False(outcome.NeedsSsh);
            Assert.True(outcome.Result.UsedSsh);
            Assert.Contains("'import' content type", outcome.Result.SshReason, StringComparison.Ordinal);
            Assert.Equal(5000, harness.Shell.Files[Appliance.Proxmox.Tests.Support.RecordingShell.ScratchDirectory + "/appliance-1.0.qcow2"].Length);
            Assert.Equal((harness.Shell.HostKeyFingerprint, true), (site!.SshHostKey, site.HasSshKey));
            Assert.Equal((harness.Shell.HostKeyFingerprint, Key), (stored!.PinnedHostKey, stored.PrivateKey));
            var everything = await EverythingStoredAsync(harness);
            Assert.DoesNotContain("b3BlbnNzaC1rZXktdjEAAAAAC2tleS1mb3ItdGhlLXRlc3Q", everything, StringComparison.Ordinal);
            Assert.Contains(ProxmoxAuditActions.SshHostKeyPinned, everything, StringComparison.Ordinal);
            // The first attempt stopped at the host key: audited as the SSH path it was, not "through the API".
            var first = (await harness.Audit.QueryAsync(new AuditQuery(Action: ProxmoxAuditActions.TemplateImportFailed))).Single();
            Assert.Contains("over SSH (no connection made)", first.Detail, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(image);
        }
    }

    [Fact]
    public async Task Template_import_through_the_api_uploads_the_image_and_makes_a_template()
    {
        await using var harness = await ProxmoxServicesHarness.StartAsync();
        PveScenario.Cluster(harness.Pve);
        await harness.ConnectAsync(chooseVm: false);
        var image = Path.Combine(Path.GetTempPath(), $"appliance-{Guid.NewGuid():N}.qcow2");
        await File.WriteAllBytesAsync(image, Appliance.Proxmox.Tests.Support.Qcow2.Image(70_000));
        try
        {
            var outcome = await harness.Templates.ImportAsync(ProxmoxServicesHarness.Admin, new TemplateImportChoices
            {
                Node = "pve", VmId = 9100, Name = "l2vpn-appliance-template", ImportStorage = "local", DiskStorage = "local-lvm", Bridge = "vmbr0",
            }, image, "appliance-1.0.qcow2", null);

            Assert.True(outcome.Result.Succeeded, outcome.Result.Error);
            Assert.False(outcome.Result.UsedSsh);
            Assert.True(harness.Pve.Vms.IsTemplate(9100));
            Assert.Equal(70_000, harness.Pve.Last("POST", "/nodes/{node}/storage/{storage}/upload").UploadedBytes);
        }
        finally
        {
            File.Delete(image);
        }
    }
}

using Appliance.Proxmox.Config;
using Appliance.Proxmox.Tests.FakePve;
using Appliance.Proxmox.Tests.Support;
using Appliance.Proxmox.Workflows;
using Appliance.Proxmox.Workflows.Deploy;

namespace Appliance.Proxmox.Tests.Workflows;

/// <summary>Deploy and pairing through the guest agent against the schema-generated node with VM state.</summary>
public sealed class ApplianceDeployerTests
{
    private const string TemplateMac = "BC:24:11:AA:BB:01";
    private const string AgentFingerprint = "12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0";

    private static void Template(FakePveServer pve)
        => pve.Vms.Add(9000, new Dictionary<string, string>
        {
            ["name"] = "appliance-template", ["agent"] = "enabled=1", ["scsi0"] = "local-lvm:base-9000-disk-0,size=2G",
            ["net0"] = $"virtio={TemplateMac},bridge=vmbr0,firewall=1",
        }, template: true);

    private static void GuestAnswers(FakePveServer pve, string mac = TemplateMac)
    {
        pve.Respond("GET", "/nodes/{node}/qemu/{vmid}/agent/file-read", new { content = AgentFingerprint.ToLowerInvariant().Replace(":", "", StringComparison.Ordinal) + "\n" });
        pve.Respond("GET", "/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces", new Dictionary<string, object>
        {
            ["result"] = new object[]
            {
                new Dictionary<string, object> { ["name"] = "ens19", ["hardware-address"] = "bc:24:11:00:00:99", ["ip-addresses"] = new[] { new Dictionary<string, object> { ["ip-address"] = "198.51.100.7", ["ip-address-type"] = "ipv4", ["prefix"] = 24 } } },
                new Dictionary<string, object> { ["name"] = "ens18", ["hardware-address"] = mac.ToLowerInvariant(), ["ip-addresses"] = new[] { new Dictionary<string, object> { ["ip-address"] = "192.0.2.50", ["ip-address-type"] = "ipv4", ["prefix"] = 24 } } },
            },
        });
    }

    private static DeployRequest Request(int? newId = null) => new()
    {
        Node = "pve",
        TemplateVmId = 9000,
        NewVmId = newId,
        Name = "l2vpn-1",
        TargetStorage = "local-lvm",
        SshPublicKeys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI+x/y=z op@panel"],
        ClientAddress = IpConfig.Static("192.0.2.50/24", "192.0.2.1"),
        GuestAgentTimeout = TimeSpan.FromMinutes(2),
        PairingTimeout = TimeSpan.FromMinutes(2),
    };

    [Fact]
    public async Task Deploy_clones_configures_starts_waits_for_the_agent_and_pairs_without_operator_input()
    {
        await using var pve = await FakePveServer.StartAsync();
        Template(pve);
        GuestAnswers(pve);
        pve.Respond("GET", "/cluster/nextid", 123);
        pve.FailTimes("POST", "/nodes/{node}/qemu/{vmid}/agent/ping", 3, 500, "QEMU guest agent is not running");
        pve.FailTimes("GET", "/nodes/{node}/qemu/{vmid}/agent/file-read", 2, 500, "can't open file - No such file or directory");
        using var client = Pve.Client(pve);
        var steps = new StepRecorder();

        var result = await new ApplianceDeployer(client, new InstantDelayTimeProvider()).DeployAsync(Request(), steps);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(123, result.VmId);
        Assert.Equal(new Uri("https://192.0.2.50:7443"), result.AgentUrl);
        Assert.Equal(AgentFingerprint, result.AgentFingerprint);
        var written = pve.Last("POST", "/nodes/{node}/qemu/{vmid}/agent/file-write");
        Assert.Equal((ApplianceDeployer.PairingTokenPath, result.PairingToken), (written["file"], written["content"]));
        Assert.True(Convert.FromBase64String(result.PairingToken!.Replace('-', '+').Replace('_', '/') + "=").Length == 32);
        Assert.Equal(ApplianceDeployer.FingerprintPath, pve.Last("GET", "/nodes/{node}/qemu/{vmid}/agent/file-read")["file"]);
        Assert.Equal(["reserve-id", "clone", "configure", "configure", "start", "wait-guest-agent", "write-pairing-token", "read-fingerprint", "find-address", "paired"], steps.Succeeded);
        Assert.Contains(steps.Steps, s => s.Id == "wait-guest-agent" && s.State == StepState.Waiting);
        Assert.DoesNotContain(steps.Steps, s => s.Message.Contains(result.PairingToken, StringComparison.Ordinal));
        Assert.DoesNotContain(result.PairingToken, result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clone_is_full_and_the_copy_gets_both_nics_virtio_with_the_pppoe_firewall_off_and_cloud_init()
    {
        await using var pve = await FakePveServer.StartAsync();
        Template(pve);
        GuestAnswers(pve);
        using var client = Pve.Client(pve);

        var result = await new ApplianceDeployer(client, new InstantDelayTimeProvider()).DeployAsync(Request(newId: 150));

        Assert.True(result.Succeeded, result.Error);
        var clone = pve.Last("POST", "/nodes/{node}/qemu/{vmid}/clone");
        Assert.Equal(("9000", "150", "1", "local-lvm", "l2vpn-1"), (clone["vmid"], clone["newid"], clone["full"], clone["storage"], clone["name"]));
        var config = pve.Vms.Config(150)!;
        Assert.Equal($"virtio={TemplateMac},bridge=vmbr0,firewall=1", config["net0"]);
        Assert.Matches("^virtio=BC:24:11:[0-9A-F]{2}:[0-9A-F]{2}:[0-9A-F]{2},bridge=vmbr1,firewall=0$", config["net1"]);
        Assert.Equal("appliance", config["ciuser"]);
        Assert.Equal("ip=192.0.2.50/24,gw=192.0.2.1", config["ipconfig0"]);
        Assert.Equal("ssh-ed25519%20AAAAC3NzaC1lZDI1NTE5AAAAI%2Bx%2Fy%3Dz%20op%40panel", config["sshkeys"]);
        Assert.Equal("running", pve.Vms.Status(150));
        Assert.DoesNotContain(pve.Requests, r => r.Template == "/cluster/nextid");
    }

    [Fact]
    public async Task Failed_clone_stops_the_deploy_with_the_task_log()
    {
        await using var pve = await FakePveServer.StartAsync();
        Template(pve);
        pve.Tasks.ScriptNext(new TaskScript(ExitStatus: "clone failed: can't lock file '/var/lock/qemu-server/lock-9000.conf' - got timeout"));
        using var client = Pve.Client(pve);
        var steps = new StepRecorder();

        var result = await new ApplianceDeployer(client, new InstantDelayTimeProvider()).DeployAsync(Request(newId: 150), steps);

        Assert.False(result.Succeeded);
        Assert.Equal("clone", result.FailedStep);
        Assert.Contains("got timeout", result.Error, StringComparison.Ordinal);
        Assert.Equal(StepState.Failed, steps.Steps[^1].State);
        Assert.DoesNotContain(pve.Requests, r => r.Template == "/nodes/{node}/qemu/{vmid}/status/start");
    }

    [Fact]
    public async Task Guest_agent_that_never_answers_times_out_with_advice_and_the_half_deployed_vm_is_removed()
    {
        await using var pve = await FakePveServer.StartAsync();
        Template(pve);
        pve.Fail("POST", "/nodes/{node}/qemu/{vmid}/agent/ping", 500, "QEMU guest agent is not running");
        using var client = Pve.Client(pve);
        var steps = new StepRecorder();

        var result = await new ApplianceDeployer(client, new InstantDelayTimeProvider()).DeployAsync(Request(newId: 150), steps);

        Assert.Equal("wait-guest-agent", result.FailedStep);
        Assert.Contains("qemu-guest-agent", result.Error, StringComparison.Ordinal);
        Assert.Contains("VM 150 was removed again", result.Error, StringComparison.Ordinal);
        // Two minutes of polls every 3 s on the virtual clock.
        Assert.InRange(pve.Requests.Count(r => r.Template == "/nodes/{node}/qemu/{vmid}/agent/ping"), 40, 42);
        Assert.DoesNotContain(pve.Requests, r => r.Template == "/nodes/{node}/qemu/{vmid}/agent/file-write");
        Assert.Null(pve.Vms.Config(150));
        Assert.Equal(["cleanup", "cleanup"], steps.Succeeded.Where(s => s == "cleanup"));
    }

    /// <summary>Records steps and acts when one is reported (synchronously, on the workflow's thread).</summary>
    private sealed class OnStep(string id, StepState state, Action act) : IProgress<WorkflowStep>
    {
        public List<WorkflowStep> Steps { get; } = [];

        public void Report(WorkflowStep value)
        {
            Steps.Add(value);
            if (value.Id == id && value.State == state)
                act();
        }
    }

    [Fact]
    public async Task Node_that_stalls_mid_deploy_ends_it_with_the_step_and_the_reason_and_the_cloned_vm_removed()
    {
        await using var pve = await FakePveServer.StartAsync();
        Template(pve);
        var connection = pve.Connection();
        connection.ConnectTimeout = TimeSpan.FromSeconds(1);
        using var client = Pve.Client(pve, connection: connection);
        // The node stops answering just as the VM is to start, and is back for the clean-up.
        var steps = new OnStep("start", StepState.Started, () => pve.Stall.StallNext(1));

        var result = await new ApplianceDeployer(client, new InstantDelayTimeProvider()).DeployAsync(Request(newId: 150), steps);

        Assert.Equal(1, pve.Stall.Stalled);
        Assert.Equal("start", result.FailedStep);
        Assert.Contains("did not set up a connection", result.Error, StringComparison.Ordinal);
        Assert.Contains("VM 150 was removed again", result.Error, StringComparison.Ordinal);
        Assert.Null(pve.Vms.Config(150));
        Assert.Contains(steps.Steps, s => s is { Id: "start", State: StepState.Failed });
        Assert.Equal(StepState.Succeeded, steps.Steps[^1].State);
    }

    [Fact]
    public async Task Deploy_cancelled_while_waiting_for_the_guest_ends_with_a_result_and_the_vm_removed()
    {
        await using var pve = await FakePveServer.StartAsync();
        Template(pve);
        pve.Fail("POST", "/nodes/{node}/qemu/{vmid}/agent/ping", 500, "QEMU guest agent is not running");
        using var client = Pve.Client(pve);
        using var cancel = new CancellationTokenSource();
        var steps = new OnStep("wait-guest-agent", StepState.Waiting, cancel.Cancel);

        var result = await new ApplianceDeployer(client, new InstantDelayTimeProvider()).DeployAsync(Request(newId: 150), steps, cancel.Token);

        Assert.Equal("wait-guest-agent", result.FailedStep);
        Assert.StartsWith("The deploy was cancelled. VM 150 was removed again.", result.Error, StringComparison.Ordinal);
        Assert.Null(pve.Vms.Config(150));
        Assert.Contains(steps.Steps, s => s is { Id: "wait-guest-agent", State: StepState.Failed, Message: "cancelled" });
    }

    [Fact]
    public async Task Failed_vm_is_kept_for_inspection_when_asked()
    {
        await using var pve = await FakePveServer.StartAsync();
        Template(pve);
        pve.Fail("POST", "/nodes/{node}/qemu/{vmid}/agent/ping", 500, "QEMU guest agent is not running");
        using var client = Pve.Client(pve);

        var result = await new ApplianceDeployer(client, new InstantDelayTimeProvider()).DeployAsync(Request(newId: 150) with { KeepFailedVm = true });

        Assert.Contains("VM 150 was kept for inspection", result.Error, StringComparison.Ordinal);
        Assert.Equal("running", pve.Vms.Status(150));
        Assert.DoesNotContain(pve.Requests, r => r.Method == "DELETE");
    }

    [Fact]
    public async Task Missing_file_write_privilege_fails_at_once_naming_it()
    {
        await using var pve = await FakePveServer.StartAsync();
        Template(pve);
        pve.Fail("POST", "/nodes/{node}/qemu/{vmid}/agent/file-write", 403, "Permission check failed (/vms/150, VM.GuestAgent.FileWrite)");
        using var client = Pve.Client(pve);

        var result = await new ApplianceDeployer(client, new InstantDelayTimeProvider()).DeployAsync(Request(newId: 150));

        Assert.Equal("write-pairing-token", result.FailedStep);
        Assert.Contains("lacks VM.GuestAgent.FileWrite on /vms/150", result.Error, StringComparison.Ordinal);
        Assert.Null(result.PairingToken);
    }

    [Theory]
    [InlineData("AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89\n")]
    [InlineData("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789")]
    [InlineData("sha256:abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789")]
    [InlineData("SHA256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89")]
    public void Fingerprint_file_is_read_in_the_usual_spellings(string content)
        => Assert.Equal("AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89", ApplianceDeployer.ParseFingerprint(content));

    [Theory]
    [InlineData("")]
    [InlineData("AB:CD")]
    public void Incomplete_fingerprint_file_means_not_yet(string content)
        => Assert.Null(ApplianceDeployer.ParseFingerprint(content));
}

using Appliance.Proxmox.Config;
using Appliance.Proxmox.Tests.FakePve;
using Appliance.Proxmox.Tests.Support;
using Appliance.Proxmox.Workflows;
using Appliance.Proxmox.Workflows.Preflight;

namespace Appliance.Proxmox.Tests.Workflows;

/// <summary>Pre-flight checks of the PPPoE NIC and their API fixes, against the schema-generated node with VM state.</summary>
public sealed class PppoeNicPreflightTests
{
    private static void Network(FakePveServer pve, object pppoeBridge, params object[] others)
        => pve.Respond("GET", "/nodes/{node}/network", new[]
        {
            new { iface = "vmbr0", type = "bridge", bridge_ports = "enp1s0", cidr = "192.0.2.5/24", method = "static" },
            pppoeBridge,
            new { iface = "enp1s0", type = "eth", method = "manual" },
            new { iface = "enp2s0", type = "eth", method = "manual" },
        }.Concat(others).ToArray());

    private static object Bridge(string ports = "enp2s0", int mtu = 1500)
        => ports.Length == 0 ? new { iface = "vmbr1", type = "bridge", method = "manual", mtu } : new { iface = "vmbr1", type = "bridge", bridge_ports = ports, method = "manual", mtu };

    [Fact]
    public async Task A_correct_setup_passes_every_check()
    {
        await using var pve = await FakePveServer.StartAsync();
        Network(pve, Bridge());
        pve.Vms.Add(100, new Dictionary<string, string> { ["net0"] = "virtio=BC:24:11:00:00:01,bridge=vmbr0,firewall=1", ["net1"] = "virtio=BC:24:11:00:00:02,bridge=vmbr1,firewall=0" });
        using var client = Pve.Client(pve);

        var report = await new PppoeNicPreflight(client).CheckAsync("pve", 100, "vmbr1");

        Assert.True(report.Passed, string.Join("; ", report.Failures.Select(f => f.Message)));
        Assert.Equal(7, report.Checks.Count);
        Assert.Contains("net1", report[PreflightCheckIds.NicOnBridge]!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Firewall_on_fails_and_the_fix_turns_it_off_keeping_every_other_field()
    {
        await using var pve = await FakePveServer.StartAsync();
        Network(pve, Bridge());
        pve.Vms.Add(100, new Dictionary<string, string> { ["net1"] = "virtio=BC:24:11:00:00:02,bridge=vmbr1,firewall=1,queues=4,rate=100,tag=7" });
        using var client = Pve.Client(pve);
        var preflight = new PppoeNicPreflight(client);

        var report = await preflight.CheckAsync("pve", 100, "vmbr1");
        var check = report[PreflightCheckIds.NicFirewallOff]!;
        var message = await preflight.ApplyFixAsync("pve", 100, check.Fix!);
        var again = await preflight.CheckAsync("pve", 100, "vmbr1");

        Assert.False(check.Passed);
        Assert.Contains("MAC filter", check.Message, StringComparison.Ordinal);
        Assert.Equal(MessageLevel.Success, message.Level);
        Assert.Equal("virtio=BC:24:11:00:00:02,bridge=vmbr1,firewall=0,queues=4,rate=100,tag=7", pve.Vms.Config(100)!["net1"]);
        Assert.NotNull(pve.Last("POST", "/nodes/{node}/qemu/{vmid}/config")["digest"]);
        Assert.True(again.Passed);
    }

    [Fact]
    public async Task Fix_is_refused_when_the_config_changed_since_the_check()
    {
        await using var pve = await FakePveServer.StartAsync();
        Network(pve, Bridge());
        pve.Vms.Add(100, new Dictionary<string, string> { ["net1"] = "virtio=BC:24:11:00:00:02,bridge=vmbr1,firewall=1" });
        using var client = Pve.Client(pve);
        var preflight = new PppoeNicPreflight(client);
        var fix = (await preflight.CheckAsync("pve", 100, "vmbr1"))[PreflightCheckIds.NicFirewallOff]!.Fix!;
        await client.SetVmConfigNowAsync("pve", 100, new VmConfigChange().Set("description", "edited meanwhile"));

        var message = await preflight.ApplyFixAsync("pve", 100, fix);

        Assert.Equal(MessageLevel.Error, message.Level);
        Assert.Contains("run the checks again", message.Text, StringComparison.Ordinal);
        Assert.Equal("virtio=BC:24:11:00:00:02,bridge=vmbr1,firewall=1", pve.Vms.Config(100)!["net1"]);
    }

    [Fact]
    public async Task Non_virtio_model_is_switched_to_virtio_keeping_the_mac()
    {
        await using var pve = await FakePveServer.StartAsync();
        Network(pve, Bridge());
        pve.Vms.Add(100, new Dictionary<string, string> { ["net0"] = "e1000=BC:24:11:00:00:02,bridge=vmbr1,firewall=0" });
        using var client = Pve.Client(pve);
        var preflight = new PppoeNicPreflight(client);

        var check = (await preflight.CheckAsync("pve", 100, "vmbr1"))[PreflightCheckIds.NicModelVirtio]!;
        await preflight.ApplyFixAsync("pve", 100, check.Fix!);

        Assert.Contains("is e1000, not virtio", check.Message, StringComparison.Ordinal);
        Assert.Equal("virtio=BC:24:11:00:00:02,bridge=vmbr1,firewall=0", pve.Vms.Config(100)!["net0"]);
    }

    [Fact]
    public async Task Baby_jumbo_bridge_wants_the_nic_to_inherit_its_mtu()
    {
        await using var pve = await FakePveServer.StartAsync();
        Network(pve, Bridge(mtu: 1508));
        pve.Vms.Add(100, new Dictionary<string, string> { ["net1"] = "virtio=BC:24:11:00:00:02,bridge=vmbr1,firewall=0" });
        using var client = Pve.Client(pve);
        var preflight = new PppoeNicPreflight(client);

        var check = (await preflight.CheckAsync("pve", 100, "vmbr1"))[PreflightCheckIds.NicMtu]!;
        await preflight.ApplyFixAsync("pve", 100, check.Fix!);

        Assert.False(check.Passed);
        Assert.Contains("MTU 1508", check.Message, StringComparison.Ordinal);
        Assert.Equal("virtio=BC:24:11:00:00:02,bridge=vmbr1,firewall=0,mtu=1", pve.Vms.Config(100)!["net1"]);
        Assert.True((await preflight.CheckAsync("pve", 100, "vmbr1")).Passed);
    }

    [Theory]
    [InlineData("", "has no bridge port", "enp2s0")]
    [InlineData("tap100i0", "none is a physical NIC", "tap100i0 enp2s0")]
    public async Task Bridge_without_a_physical_port_gets_the_free_nic_added_and_the_network_applied(string ports, string expected, string portsAfter)
    {
        await using var pve = await FakePveServer.StartAsync();
        Network(pve, Bridge(ports));
        pve.Vms.Add(100, new Dictionary<string, string> { ["net1"] = "virtio,bridge=vmbr1,firewall=0" });
        using var client = Pve.Client(pve);
        var preflight = new PppoeNicPreflight(client);

        var check = (await preflight.CheckAsync("pve", 100, "vmbr1"))[PreflightCheckIds.BridgePhysicalPort]!;
        var fix = Assert.IsType<BridgeFix>(check.Fix);
        var message = await preflight.ApplyFixAsync("pve", 100, fix);

        Assert.False(check.Passed);
        Assert.Contains(expected, check.Message, StringComparison.Ordinal);
        Assert.Equal(["enp2s0"], fix.CandidatePorts);
        Assert.False(fix.NeedsPortChoice);
        Assert.Equal(MessageLevel.Success, message.Level);
        var update = pve.Last("PUT", "/nodes/{node}/network/{iface}");
        Assert.Equal(("vmbr1", "bridge", portsAfter), (update["iface"], update["type"], update["bridge_ports"]));
        var order = pve.Requests.Select(r => (r.Method, r.Template)).ToList();
        Assert.True(order.IndexOf(("PUT", "/nodes/{node}/network")) > order.IndexOf(("PUT", "/nodes/{node}/network/{iface}")), "the network is applied after the bridge changed");
    }

    [Fact]
    public async Task With_several_free_nics_the_operator_must_choose_the_port()
    {
        await using var pve = await FakePveServer.StartAsync();
        Network(pve, Bridge(""), new { iface = "enp3s0", type = "eth", method = "manual" });
        pve.Vms.Add(100, new Dictionary<string, string> { ["net1"] = "virtio,bridge=vmbr1,firewall=0" });
        using var client = Pve.Client(pve);
        var preflight = new PppoeNicPreflight(client);
        var fix = Assert.IsType<BridgeFix>((await preflight.CheckAsync("pve", 100, "vmbr1"))[PreflightCheckIds.BridgePhysicalPort]!.Fix);

        var unchosen = await preflight.ApplyFixAsync("pve", 100, fix);
        var wrong = await preflight.ApplyFixAsync("pve", 100, fix, port: "enp1s0");
        var chosen = await preflight.ApplyFixAsync("pve", 100, fix, port: "enp3s0");

        Assert.True(fix.NeedsPortChoice);
        Assert.Equal(MessageLevel.Error, unchosen.Level);
        Assert.Contains("one of enp2s0, enp3s0", unchosen.Text, StringComparison.Ordinal);
        Assert.Contains("'enp1s0' is not one of them", wrong.Text, StringComparison.Ordinal);
        Assert.Equal(MessageLevel.Success, chosen.Level);
        Assert.Equal("enp3s0", Assert.Single(pve.Requests, r => r.Template == "/nodes/{node}/network/{iface}")["bridge_ports"]);
    }

    [Fact]
    public async Task Small_bridge_mtu_fails_as_a_bridge_problem()
    {
        await using var pve = await FakePveServer.StartAsync();
        Network(pve, Bridge(mtu: 1400));
        pve.Vms.Add(100, new Dictionary<string, string> { ["net1"] = "virtio,bridge=vmbr1,firewall=0" });
        using var client = Pve.Client(pve);

        var report = await new PppoeNicPreflight(client).CheckAsync("pve", 100, "vmbr1");

        var check = report[PreflightCheckIds.BridgeMtu]!;
        var message = await new PppoeNicPreflight(client).ApplyFixAsync("pve", 100, check.Fix!);

        Assert.False(check.Passed);
        Assert.Contains("MTU 1400", check.Message, StringComparison.Ordinal);
        Assert.Equal([PreflightCheckIds.BridgeMtu], report.Failures.Select(f => f.Id));
        Assert.Equal(MessageLevel.Success, message.Level);
        var update = pve.Last("PUT", "/nodes/{node}/network/{iface}");
        Assert.Equal(("1500", null), (update["mtu"], update["bridge_ports"]));
    }

    [Fact]
    public async Task Missing_bridge_stops_the_checks_and_is_created_on_the_free_nic_without_an_address()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/nodes/{node}/network", new object[]
        {
            new { iface = "vmbr0", type = "bridge", bridge_ports = "enp1s0", cidr = "192.0.2.5/24", method = "static" },
            new { iface = "enp1s0", type = "eth", method = "manual" },
            new { iface = "enp2s0", type = "eth", method = "manual" },
            new { iface = "enp9s0", type = "eth", method = "static", cidr = "198.51.100.2/24" },
        });
        using var client = Pve.Client(pve);
        var preflight = new PppoeNicPreflight(client);

        var report = await preflight.CheckAsync("pve", 100, "vmbr1");
        var check = Assert.Single(report.Checks);
        var message = await preflight.ApplyFixAsync("pve", 100, check.Fix!);

        Assert.Equal(PreflightCheckIds.BridgeExists, check.Id);
        Assert.Contains("Linux Bridge", check.Message, StringComparison.Ordinal);
        Assert.Equal(["enp2s0"], Assert.IsType<BridgeFix>(check.Fix).CandidatePorts);
        Assert.Equal(MessageLevel.Success, message.Level);
        var created = pve.Last("POST", "/nodes/{node}/network");
        Assert.Equal(("vmbr1", "bridge", "enp2s0", "1"), (created["iface"], created["type"], created["bridge_ports"], created["autostart"]));
        Assert.Null(created["cidr"]);
    }

    [Fact]
    public async Task Failed_network_apply_says_the_change_is_still_pending()
    {
        await using var pve = await FakePveServer.StartAsync();
        Network(pve, Bridge(mtu: 1400));
        pve.Vms.Add(100, new Dictionary<string, string> { ["net1"] = "virtio,bridge=vmbr1,firewall=0" });
        pve.Tasks.ScriptNext(new TaskScript(ExitStatus: "ifreload failed"));
        using var client = Pve.Client(pve);
        var preflight = new PppoeNicPreflight(client);
        var fix = (await preflight.CheckAsync("pve", 100, "vmbr1"))[PreflightCheckIds.BridgeMtu]!.Fix!;

        var message = await preflight.ApplyFixAsync("pve", 100, fix);

        Assert.Equal(MessageLevel.Error, message.Level);
        Assert.Contains("ifreload failed", message.Text, StringComparison.Ordinal);
        Assert.Contains("still pending", message.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Vm_without_a_nic_on_the_bridge_gets_one_added_at_the_next_free_index()
    {
        await using var pve = await FakePveServer.StartAsync();
        Network(pve, Bridge());
        pve.Vms.Add(100, new Dictionary<string, string> { ["net0"] = "virtio=BC:24:11:00:00:01,bridge=vmbr0,firewall=1" });
        using var client = Pve.Client(pve);
        var preflight = new PppoeNicPreflight(client);

        var check = (await preflight.CheckAsync("pve", 100, "vmbr1"))[PreflightCheckIds.NicOnBridge]!;
        await preflight.ApplyFixAsync("pve", 100, check.Fix!);

        Assert.False(check.Passed);
        Assert.Equal("virtio,bridge=vmbr1,firewall=0", pve.Vms.Config(100)!["net1"]);
        Assert.Equal("virtio=BC:24:11:00:00:01,bridge=vmbr0,firewall=1", pve.Vms.Config(100)!["net0"]);
        Assert.True((await preflight.CheckAsync("pve", 100, "vmbr1")).Passed);
    }
}

using Appliance.Proxmox.Models;
using Appliance.Proxmox.Tests.FakePve;
using Appliance.Proxmox.Tests.Support;
using Appliance.Proxmox.Workflows;
using Appliance.Proxmox.Workflows.Operations;

namespace Appliance.Proxmox.Tests.Workflows;

/// <summary>The VM page's status, graphs and power actions against the schema-generated node.</summary>
public sealed class ApplianceVmOperationsTests
{
    [Fact]
    public async Task Overview_has_nodes_status_and_the_novnc_console_link()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/nodes", new object[] { new { node = "pve", status = "online" } });
        pve.Vms.Add(100, new Dictionary<string, string> { ["name"] = "l2vpn", ["agent"] = "1" }, status: "running");
        using var client = Pve.Client(pve);

        var overview = await new ApplianceVmOperations(client).GetOverviewAsync("pve", 100);

        Assert.True(overview.Status.IsRunning);
        Assert.Equal("pve", Assert.Single(overview.Nodes).Node);
        Assert.Contains("novnc=1&vmid=100&vmname=l2vpn&node=pve", overview.ConsoleUrl.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Charts_are_time_ordered_series_with_cpu_in_percent_and_gaps_where_pve_has_no_data()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/nodes/{node}/qemu/{vmid}/rrddata", new object[]
        {
            new { time = 1_767_225_660L },
            new { time = 1_767_225_600L, cpu = 0.25, mem = 500_000_000L, netin = 1000.5, netout = 20.0 },
        });
        using var client = Pve.Client(pve);

        var charts = await new ApplianceVmOperations(client).GetChartsAsync("pve", 100, RrdTimeframe.Day);

        Assert.Equal("day", pve.Last("GET", "/nodes/{node}/qemu/{vmid}/rrddata")["timeframe"]);
        Assert.Equal([25.0, null], charts.Cpu.Points.Select(p => p.Value));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_767_225_600L), charts.Memory.Points[0].Time);
        Assert.Equal(1000.5, charts.NetIn.Points[0].Value);
        Assert.Equal(("netout", "bytes/s"), (charts.NetOut.Id, charts.NetOut.Unit));
    }

    [Theory]
    [InlineData(VmPowerAction.Start, "stopped", "started", "running")]
    [InlineData(VmPowerAction.Shutdown, "running", "shut down", "stopped")]
    [InlineData(VmPowerAction.Reboot, "running", "rebooted", "running")]
    [InlineData(VmPowerAction.Stop, "running", "stopped", "stopped")]
    public async Task Power_action_waits_for_its_task_and_reports_the_outcome(VmPowerAction action, string before, string done, string after)
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Vms.Add(100, new Dictionary<string, string> { ["name"] = "l2vpn" }, status: before);
        pve.Tasks.ScriptNext(new TaskScript(PollsUntilStopped: 3));
        using var client = Pve.Client(pve);

        var message = await new ApplianceVmOperations(client).PowerAsync("pve", 100, action);

        Assert.Equal(MessageLevel.Success, message.Level);
        Assert.Equal($"VM 100 (l2vpn) {done}", message.Text);
        Assert.Equal(3, pve.Tasks.PollsOf(Assert.Single(pve.Tasks.Started)));
        Assert.Equal(after, pve.Vms.Status(100));
    }

    [Fact]
    public async Task Start_of_a_running_vm_does_nothing_and_says_so()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Vms.Add(100, new Dictionary<string, string>(), status: "running");
        using var client = Pve.Client(pve);

        var message = await new ApplianceVmOperations(client).PowerAsync("pve", 100, VmPowerAction.Start);

        Assert.Equal((MessageLevel.Info, "VM 100 is already running"), (message.Level, message.Text));
        Assert.Empty(pve.Tasks.Started);
    }

    [Fact]
    public async Task Task_warnings_and_failures_become_operator_messages_with_the_log()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Vms.Add(100, new Dictionary<string, string>(), status: "stopped");
        using var client = Pve.Client(pve);
        var operations = new ApplianceVmOperations(client);

        pve.Tasks.ScriptNext(new TaskScript(ExitStatus: "WARNINGS: 1", Log: ["WARN: no efidisk configured! Using temporary efivars disk."]));
        var warned = await operations.PowerAsync("pve", 100, VmPowerAction.Start);
        pve.Tasks.ScriptNext(new TaskScript(ExitStatus: "VM quit/powerdown failed - got timeout"));
        var failed = await operations.PowerAsync("pve", 100, VmPowerAction.Shutdown);

        Assert.Equal(MessageLevel.Warning, warned.Level);
        Assert.Contains("no efidisk configured", warned.Text, StringComparison.Ordinal);
        Assert.Equal(MessageLevel.Error, failed.Level);
        Assert.Contains("got timeout", failed.Text, StringComparison.Ordinal);
        Assert.Contains("use Stop", failed.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refusal_by_proxmox_is_a_message_naming_the_missing_privilege()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Vms.Add(100, new Dictionary<string, string>(), status: "stopped");
        pve.Fail("POST", "/nodes/{node}/qemu/{vmid}/status/start", 403, "Permission check failed (/vms/100, VM.PowerMgmt)");
        using var client = Pve.Client(pve);

        var message = await new ApplianceVmOperations(client).PowerAsync("pve", 100, VmPowerAction.Start);

        Assert.Equal(MessageLevel.Error, message.Level);
        Assert.Contains("lacks VM.PowerMgmt on /vms/100", message.Text, StringComparison.Ordinal);
    }
}

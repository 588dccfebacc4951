using Appliance.Proxmox.Errors;
using Appliance.Proxmox.Tasks;
using Appliance.Proxmox.Tests.FakePve;
using Appliance.Proxmox.Tests.Support;

namespace Appliance.Proxmox.Tests;

/// <summary>The UPID task pattern: poll status on TimeProvider delays until stopped, then judge the exit status.</summary>
public sealed class TaskContractTests
{
    [Fact]
    [Covers(nameof(ProxmoxClient.WaitForTaskAsync))]
    public async Task Task_polled_until_stopped_with_OK_succeeds_after_timed_delays()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Tasks.ScriptNext(new TaskScript(PollsUntilStopped: 3));
        var time = new InstantDelayTimeProvider();
        using var client = Pve.Client(pve, time);
        var upid = await client.StartVmAsync("pve", 100);

        var result = await client.WaitForTaskAsync(upid, new TaskWaitOptions { PollInterval = TimeSpan.FromSeconds(2) });

        Assert.Equal(TaskOutcome.Succeeded, result.Outcome);
        Assert.Equal(3, pve.Tasks.PollsOf(upid.Value));
        Assert.Equal([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)], time.Delays);
        Assert.Null(result.Error);
    }

    [Fact]
    public async Task Task_ending_with_warnings_succeeds_and_surfaces_the_log()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Tasks.ScriptNext(new TaskScript(2, "WARNINGS: 2", ["WARN: no efidisk configured! Using temporary efivars disk.", "WARN: iothread is only valid with virtio disk or virtio-scsi-single controller"]));
        using var client = Pve.Client(pve);
        var upid = await client.StartVmAsync("pve", 100);

        var result = (await client.WaitForTaskAsync(upid)).EnsureSucceeded();

        Assert.Equal(TaskOutcome.SucceededWithWarnings, result.Outcome);
        Assert.Equal(2, result.WarningCount);
        Assert.Contains(result.LogTail, line => line.Contains("no efidisk", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Task_ending_with_an_error_fails_with_exit_status_and_last_log_lines()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Tasks.ScriptNext(new TaskScript(2, "clone failed: can't lock file '/var/lock/qemu-server/lock-9000.conf' - got timeout", ["create full clone of drive scsi0 (local-lvm:base-9000-disk-0)"]));
        using var client = Pve.Client(pve);
        var upid = await client.CloneVmAsync("pve", 9000, new Config.VmCloneRequest { NewVmId = 101 });

        var result = await client.WaitForTaskAsync(upid);

        Assert.Equal(TaskOutcome.Failed, result.Outcome);
        var thrown = Assert.Throws<ProxmoxException>(() => result.EnsureSucceeded());
        Assert.Equal(ProxmoxErrorKind.TaskFailed, thrown.Error.Kind);
        Assert.Contains("qmclone on pve for 9000 failed: clone failed: can't lock file", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("create full clone of drive scsi0", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Task_still_running_at_the_deadline_times_out_by_virtual_time()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Tasks.ScriptNext(new TaskScript(PollsUntilStopped: 1000));
        var time = new InstantDelayTimeProvider();
        using var client = Pve.Client(pve, time);
        var upid = await client.StartVmAsync("pve", 100);

        var result = await client.WaitForTaskAsync(upid, new TaskWaitOptions { PollInterval = TimeSpan.FromSeconds(2), Timeout = TimeSpan.FromSeconds(10) });

        Assert.Equal(TaskOutcome.TimedOut, result.Outcome);
        Assert.Equal(6, pve.Tasks.PollsOf(upid.Value));
        Assert.Contains("still running", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.GetTaskStatusAsync))]
    public async Task Task_status_is_asked_of_the_node_in_the_upid()
    {
        await using var pve = await FakePveServer.StartAsync();
        using var client = Pve.Client(pve);
        var upid = await client.StartVmAsync("pve", 100);

        var status = await client.GetTaskStatusAsync(upid);

        Assert.True(status.IsStopped);
        Assert.Equal("OK", status.ExitStatus);
        Assert.Equal(upid.Value, pve.Last("GET", "/nodes/{node}/tasks/{upid}/status")["upid"]);
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.GetTaskLogAsync))]
    public async Task Task_log_pages_with_start_and_limit()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Tasks.ScriptNext(new TaskScript(1, "OK", ["line 1", "line 2", "line 3"]));
        using var client = Pve.Client(pve);
        var upid = await client.StartVmAsync("pve", 100);

        var log = await client.GetTaskLogAsync(upid, start: 1, limit: 2);

        Assert.Equal(["line 2", "line 3"], log.Select(l => l.Text));
        Assert.Equal(("1", "2"), (pve.Last("GET", "/nodes/{node}/tasks/{upid}/log")["start"], pve.Last("GET", "/nodes/{node}/tasks/{upid}/log")["limit"]));
    }

    [Theory]
    [InlineData("UPID:pve:0000A1B2:0012C3D4:65A1B2C3:qmstart:100:panel@pve!appliance:", "pve", "qmstart", "100", "panel@pve!appliance")]
    [InlineData("UPID:pve2:00001234:00005678:65000000:imgcopy::root@pam:", "pve2", "imgcopy", "", "root@pam")]
    public void Upid_fields_are_parsed(string text, string node, string type, string id, string user)
    {
        var upid = Upid.Parse(text);
        Assert.Equal((node, type, id, user), (upid.Node, upid.Type, upid.Id, upid.User));
    }

    [Fact]
    public void Text_that_is_not_a_upid_is_named_in_the_error()
        => Assert.Contains("'done'", Assert.Throws<FormatException>(() => Upid.Parse("done")).Message, StringComparison.Ordinal);
}

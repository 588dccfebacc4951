using System.Security.Cryptography;
using Appliance.Proxmox.Ssh;
using Appliance.Proxmox.Tests.FakePve;
using Appliance.Proxmox.Tests.Support;
using Appliance.Proxmox.Workflows;
using Appliance.Proxmox.Workflows.TemplateImport;

namespace Appliance.Proxmox.Tests.Workflows;

/// <summary>Template import through the API (PVE ≥ 8.4) and the SSH fallback, against the schema-generated node.</summary>
public sealed class TemplateImporterTests
{
    private static readonly byte[] Image = Qcow2.Image(300 * 1024);

    private const string ShellKey = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";

    private static TemplateImportRequest Request(SshHostSettings? ssh = null, string fileName = "appliance-1.4.0.qcow2") => new()
    {
        Node = "pve",
        VmId = 9000,
        ImageFileName = fileName,
        OpenImage = () => new MemoryStream(Image),
        ImportStorage = "local",
        DiskStorage = "local-lvm",
        Ssh = ssh,
    };

    private static SshHostSettings Ssh(string? pin = ShellKey) => new()
    {
        Host = "pve.lan",
        PrivateKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
        PinnedHostKey = pin,
    };

    private static void Pve(FakePveServer pve, string version, string importContent = "iso,vztmpl,backup,import")
    {
        pve.Respond("GET", "/version", new { version, release = version[..3], repoid = "4c1ab1fa" });
        pve.Respond("GET", "/nodes/{node}/storage", new object[] { new { storage = "local", type = "dir", content = importContent, active = 1, enabled = 1 } });
    }

    [Fact]
    public async Task On_pve_8_4_and_later_the_image_is_uploaded_imported_and_converted_through_the_api()
    {
        await using var pve = await FakePveServer.StartAsync();
        Pve(pve, "9.1.2");
        using var client = Support.Pve.Client(pve);
        var shell = new RecordingShell();
        var steps = new StepRecorder();

        var result = await new TemplateImporter(client, new InstantDelayTimeProvider(), shell).ImportAsync(Request(Ssh()), steps);

        Assert.True(result.Succeeded, result.Error);
        Assert.False(result.UsedSsh);
        Assert.Null(shell.ConnectedWith);
        var upload = pve.Last("POST", "/nodes/{node}/storage/{storage}/upload");
        Assert.Equal(("import", "appliance-1.4.0.qcow2", (long)Image.Length), (upload["content"], upload["filename"], upload.UploadedBytes));
        var config = pve.Vms.Config(9000)!;
        Assert.Equal("local-lvm:0,import-from=local:import/appliance-1.4.0.qcow2,discard=on,iothread=1", config["scsi0"]);
        Assert.Equal(("virtio-scsi-single", "local-lvm:cloudinit", "socket", "serial0", "enabled=1", "order=scsi0"),
            (config["scsihw"], config["scsi1"], config["serial0"], config["vga"], config["agent"], config["boot"]));
        // As install-on-pve.sh makes it.
        Assert.Equal(("q35", "1", "appliance"), (config["machine"], config["onboot"], config["tags"]));
        Assert.EndsWith("firewall=1", config["net0"], StringComparison.Ordinal);
        Assert.True(pve.Vms.IsTemplate(9000));
        Assert.Equal(["version", "upload", "create", "template"], steps.Succeeded);
    }

    [Fact]
    public async Task Node_that_stalls_before_the_template_conversion_ends_the_import_with_the_reason_and_the_vm_removed()
    {
        await using var pve = await FakePveServer.StartAsync();
        Pve(pve, "9.1.2");
        var connection = pve.Connection();
        connection.ConnectTimeout = TimeSpan.FromSeconds(1);
        using var client = Support.Pve.Client(pve, connection: connection);
        var steps = new StallAt("template", pve);

        var result = await new TemplateImporter(client, new InstantDelayTimeProvider(), new RecordingShell()).ImportAsync(Request(), steps);

        Assert.Equal("template", result.FailedStep);
        Assert.Contains("did not set up a connection", result.Error, StringComparison.Ordinal);
        Assert.Contains("VM 9000 was removed again", result.Error, StringComparison.Ordinal);
        Assert.Null(pve.Vms.Config(9000));
    }

    [Fact]
    public async Task Import_cancelled_after_the_vm_was_created_removes_it()
    {
        await using var pve = await FakePveServer.StartAsync();
        Pve(pve, "9.1.2");
        using var client = Support.Pve.Client(pve);
        using var cancel = new CancellationTokenSource();
        var steps = new CancelAt("template", cancel);

        var result = await new TemplateImporter(client, new InstantDelayTimeProvider(), new RecordingShell()).ImportAsync(Request(), steps, cancel.Token);

        Assert.Equal("template", result.FailedStep);
        Assert.StartsWith("The import was cancelled. VM 9000 was removed again.", result.Error, StringComparison.Ordinal);
        Assert.Null(pve.Vms.Config(9000));
    }

    private sealed class StallAt(string step, FakePveServer pve) : IProgress<WorkflowStep>
    {
        public void Report(WorkflowStep value)
        {
            if (value.Id == step && value.State == StepState.Started)
                pve.Stall.StallNext(1);
        }
    }

    private sealed class CancelAt(string step, CancellationTokenSource cancel) : IProgress<WorkflowStep>
    {
        public void Report(WorkflowStep value)
        {
            if (value.Id == step && value.State == StepState.Started)
                cancel.Cancel();
        }
    }

    [Theory]
    [InlineData("a text file", "just some text, renamed")]
    [InlineData("three bytes", "QFI")]
    [InlineData("a raw disk", "\0\0\0\0\0\0")]
    public async Task A_file_named_qcow2_without_the_qcow2_signature_is_refused_before_any_call(string _, string content)
    {
        await using var pve = await FakePveServer.StartAsync();
        Pve(pve, "9.1.2");
        using var client = Support.Pve.Client(pve);
        var bytes = System.Text.Encoding.Latin1.GetBytes(content);

        var result = await new TemplateImporter(client, new InstantDelayTimeProvider(), new RecordingShell())
            .ImportAsync(Request() with { OpenImage = () => new MemoryStream(bytes) });

        Assert.Equal("image", result.FailedStep);
        Assert.Contains("is not a qcow2 image", result.Error, StringComparison.Ordinal);
        Assert.Empty(pve.Requests);
    }

    [Theory]
    [InlineData("iso,vztmpl,backup,import", "'local' does: choose it as the import storage")]
    [InlineData("iso,vztmpl,backup", "a lvmthin storage cannot (it holds disks, not files); add 'import' to a directory storage such as 'local': pvesm set local --content iso,vztmpl,backup,import")]
    public async Task An_import_storage_that_cannot_hold_the_image_gets_advice_that_works(string localContent, string advice)
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/version", new { version = "9.1.2", release = "9.1", repoid = "4c1ab1fa" });
        pve.Respond("GET", "/nodes/{node}/storage", new object[]
        {
            new { storage = "local", type = "dir", content = localContent, active = 1, enabled = 1 },
            new { storage = "local-lvm", type = "lvmthin", content = "images,rootdir", active = 1, enabled = 1 },
        });
        using var client = Support.Pve.Client(pve);

        var result = await new TemplateImporter(client, new InstantDelayTimeProvider(), new RecordingShell())
            .ImportAsync(Request() with { ImportStorage = "local-lvm" });

        Assert.Equal("import-route", result.FailedStep);
        Assert.Contains("storage 'local-lvm' on node pve does not hold the 'import' content type", result.Error, StringComparison.Ordinal);
        Assert.Contains(advice, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("pvesm set local-lvm", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_pve_older_than_8_4_the_image_goes_over_ssh_and_the_result_says_why()
    {
        await using var pve = await FakePveServer.StartAsync();
        Pve(pve, "8.2.7");
        using var client = Support.Pve.Client(pve);
        var shell = new RecordingShell();
        var steps = new StepRecorder();

        var result = await new TemplateImporter(client, new InstantDelayTimeProvider(), shell).ImportAsync(Request(Ssh()), steps);

        Assert.True(result.Succeeded, result.Error);
        Assert.True(result.UsedSsh);
        Assert.Contains("8.2.7", result.SshReason, StringComparison.Ordinal);
        Assert.Contains("8.4", result.SshReason, StringComparison.Ordinal);
        Assert.Equal(shell.HostKeyFingerprint, result.SshHostKeyFingerprint);
        const string copy = RecordingShell.ScratchDirectory + "/appliance-1.4.0.qcow2";
        Assert.Equal(Image, shell.Files[copy]);
        Assert.Equal(
            ["mktemp -d /var/tmp/appliance-import.XXXXXXXXXX",
             $"qm set 9000 --scsi0 local-lvm:0,import-from={copy},discard=on,iothread=1 --boot order=scsi0",
             $"rm -rf -- {RecordingShell.ScratchDirectory}"],
            shell.Commands);
        Assert.DoesNotContain(pve.Requests, r => r.Template == "/nodes/{node}/storage/{storage}/upload");
        Assert.Null(pve.Last("POST", "/nodes/{node}/qemu")["scsi0"]);
        Assert.Equal("local-lvm:cloudinit", pve.Vms.Config(9000)!["scsi1"]);
        Assert.True(pve.Vms.IsTemplate(9000));
        Assert.True(shell.Disposed);
        Assert.Contains(steps.Steps, s => s.Id == "ssh" && s.Message.Contains("8.4", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_storage_without_import_content_also_falls_back_to_ssh()
    {
        await using var pve = await FakePveServer.StartAsync();
        Pve(pve, "9.1.2", importContent: "iso,vztmpl,backup");
        using var client = Support.Pve.Client(pve);
        var shell = new RecordingShell();

        var result = await new TemplateImporter(client, new InstantDelayTimeProvider(), shell).ImportAsync(Request(Ssh()));

        Assert.True(result.UsedSsh);
        Assert.Contains("does not hold the 'import' content type", result.SshReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_ssh_settings_an_old_pve_is_refused_with_both_remedies_and_nothing_is_created()
    {
        await using var pve = await FakePveServer.StartAsync();
        Pve(pve, "8.3.1");
        using var client = Support.Pve.Client(pve);

        var result = await new TemplateImporter(client, new InstantDelayTimeProvider(), new RecordingShell()).ImportAsync(Request());

        Assert.False(result.Succeeded);
        Assert.Equal("import-route", result.FailedStep);
        Assert.Contains("needs 8.4 or newer", result.Error, StringComparison.Ordinal);
        Assert.Contains("SSH access", result.Error, StringComparison.Ordinal);
        Assert.Null(pve.Vms.Config(9000));
    }

    [Fact]
    public async Task A_changed_host_key_stops_the_import_before_anything_is_copied()
    {
        await using var pve = await FakePveServer.StartAsync();
        Pve(pve, "8.2.7");
        using var client = Support.Pve.Client(pve);
        var shell = new RecordingShell { ConnectFailure = new SshHostKeyMismatchException("pve.lan:22", "SHA256:old", "SHA256:new") };

        var result = await new TemplateImporter(client, new InstantDelayTimeProvider(), shell).ImportAsync(Request(Ssh(ShellKey)));

        Assert.Equal("ssh-connect", result.FailedStep);
        Assert.Contains("host key of pve.lan:22 changed", result.Error, StringComparison.Ordinal);
        Assert.Empty(shell.Files);
        Assert.Null(pve.Vms.Config(9000));
    }

    [Fact]
    public async Task A_failing_qm_command_fails_the_import_step_with_its_error_output()
    {
        await using var pve = await FakePveServer.StartAsync();
        Pve(pve, "8.2.7");
        using var client = Support.Pve.Client(pve);
        var shell = new RecordingShell();
        shell.Answers["qm set"] = new SshCommandResult(255, "", "storage 'local-lvm' does not exist\n");

        var steps = new StepRecorder();

        var result = await new TemplateImporter(client, new InstantDelayTimeProvider(), shell).ImportAsync(Request(Ssh()), steps);

        Assert.Equal("ssh-import", result.FailedStep);
        Assert.Contains("exit 255", result.Error, StringComparison.Ordinal);
        Assert.Contains("storage 'local-lvm' does not exist", result.Error, StringComparison.Ordinal);
        Assert.False(pve.Vms.IsTemplate(9000));
        // The VM made for the import is gone again, and no step is left "running".
        Assert.Null(pve.Vms.Config(9000));
        Assert.Contains("VM 9000 was removed again", result.Error, StringComparison.Ordinal);
        Assert.Equal(StepState.Failed, steps.Steps.Last(s => s.Id == "ssh").State);
    }

    [Fact]
    public async Task Without_a_pinned_host_key_the_key_is_read_and_shown_and_nothing_is_sent_run_or_created()
    {
        await using var pve = await FakePveServer.StartAsync();
        Pve(pve, "8.2.7");
        using var client = Support.Pve.Client(pve);
        var shell = new RecordingShell();

        var result = await new TemplateImporter(client, new InstantDelayTimeProvider(), shell).ImportAsync(Request(Ssh(pin: null)));

        Assert.False(result.Succeeded);
        Assert.Equal(shell.HostKeyFingerprint, result.SshHostKeyToConfirm);
        Assert.Contains(shell.HostKeyFingerprint, result.Error, StringComparison.Ordinal);
        Assert.Equal(["pve.lan:22"], shell.HostKeyReads);
        Assert.Null(shell.ConnectedWith);
        Assert.Empty(shell.Commands);
        Assert.Empty(shell.Files);
        Assert.Null(pve.Vms.Config(9000));
    }

    [Theory]
    [InlineData("appliance,cache=unsafe.qcow2")]
    [InlineData("a b.qcow2")]
    [InlineData("../appliance.qcow2")]
    [InlineData(".hidden.qcow2")]
    [InlineData("appliance=1.qcow2")]
    [InlineData("appliance.img")]
    public async Task An_image_file_name_outside_the_allowed_characters_is_refused_before_any_call(string fileName)
    {
        await using var pve = await FakePveServer.StartAsync();
        Pve(pve, "8.2.7");
        using var client = Support.Pve.Client(pve);
        var shell = new RecordingShell();

        var result = await new TemplateImporter(client, new InstantDelayTimeProvider(), shell).ImportAsync(Request(Ssh(), fileName));

        Assert.Equal("image", result.FailedStep);
        Assert.Contains($"'{fileName}'", result.Error, StringComparison.Ordinal);
        Assert.Empty(pve.Requests);
        Assert.Empty(shell.Commands);
    }

    [Fact]
    public async Task A_failed_ssh_import_removes_the_private_directory_with_the_copy()
    {
        await using var pve = await FakePveServer.StartAsync();
        Pve(pve, "8.2.7");
        using var client = Support.Pve.Client(pve);
        var shell = new RecordingShell();
        shell.Answers["qm set"] = new SshCommandResult(255, "", "import failed\n");

        await new TemplateImporter(client, new InstantDelayTimeProvider(), shell).ImportAsync(Request(Ssh()));

        Assert.Equal($"rm -rf -- {RecordingShell.ScratchDirectory}", shell.Commands[^1]);
    }
}

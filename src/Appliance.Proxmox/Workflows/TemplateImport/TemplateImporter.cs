using System.Globalization;
using System.Text.RegularExpressions;
using Appliance.Proxmox.Config;
using Appliance.Proxmox.Models;
using Appliance.Proxmox.Ssh;

namespace Appliance.Proxmox.Workflows.TemplateImport;

/// <summary>
/// Puts the appliance template on a node. On PVE ≥ 8.4 with an <c>import</c> storage everything goes through the API:
/// upload the qcow2 (content <c>import</c>), create the VM with <c>scsi0=…,import-from=…</c>, convert it to a template.
/// Otherwise — and only when SSH settings are given — the image is copied over SFTP and imported with
/// <c>qm set --scsi0 …,import-from=/path</c> (host paths are root-only, so the API cannot), the rest still via the API;
/// the result says that SSH was used and why.
/// </summary>
public sealed partial class TemplateImporter(ProxmoxClient client, TimeProvider time, IPveShellFactory? shells = null)
{
    private readonly IPveShellFactory _shells = shells ?? new SshPveShellFactory();

    // What TemplateImportRequest.ImageFileName promises: the name ends up inside PVE property strings
    // (import-from=…, separated by commas) and a remote path, so no comma, '=', space, slash or leading dot.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._+-]{0,200}\.qcow2$")]
    private static partial Regex ImageFileNamePattern();

    /// <summary>Null when <paramref name="fileName"/> may name the image on the node; else why not.</summary>
    public static string? CheckImageFileName(string fileName) => ImageFileNamePattern().IsMatch(fileName)
        ? null
        : $"the image file name '{fileName}' may hold only letters, digits and . _ + - (starting with a letter or digit) and must end in .qcow2; rename the file, e.g. appliance-1.4.0.qcow2";

    /// <summary>The first bytes of every qcow2 image (QEMU's docs/interop/qcow2.txt: "QFI\xfb").</summary>
    public static ReadOnlySpan<byte> Qcow2Magic => [(byte)'Q', (byte)'F', (byte)'I', 0xFB];

    /// <summary>Null when the image starts with <see cref="Qcow2Magic"/>; else why it is refused (before anything is sent).</summary>
    public static async Task<string?> CheckQcow2HeaderAsync(TemplateImportRequest request, CancellationToken cancellationToken = default)
    {
        var head = new byte[4];
        int read;
        await using (var image = request.OpenImage())
            read = await image.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        return read == head.Length && head.AsSpan().SequenceEqual(Qcow2Magic)
            ? null
            : $"{request.ImageFileName} is not a qcow2 image (it does not start with the qcow2 signature QFI\xfb); choose the appliance's .qcow2 file " +
              "as released, not a renamed or truncated one";
    }

    /// <summary>
    /// Runs the import; failures, timeouts and a cancellation through <paramref name="cancellationToken"/> are results, and a
    /// VM it created is removed again (the clean-up itself is not cancelled).
    /// </summary>
    public async Task<TemplateImportResult> ImportAsync(TemplateImportRequest request, IProgress<WorkflowStep>? progress = null, CancellationToken cancellationToken = default)
    {
        var steps = new StepRunner(client, time, progress);
        int? vmId = request.VmId;
        string? sshReason = null;
        IPveShell? shell = null;
        string? scratch = null;
        int? created = null;
        // The "ssh" line stays open while its sub-steps run; a failure among them must close it too.
        bool sshOpen = false;
        try
        {
            if (CheckImageFileName(request.ImageFileName) is { } badName)
                throw steps.Fail("image", badName);
            if (await CheckQcow2HeaderAsync(request, cancellationToken).ConfigureAwait(false) is { } notQcow2)
                throw steps.Fail("image", notQcow2);
            var node = request.Node;
            var version = await steps.RunAsync("version", "reading the Proxmox VE version", () => client.GetVersionAsync(cancellationToken), v => $"Proxmox VE {v.Version}").ConfigureAwait(false);
            sshReason = await WhyApiCannotImportAsync(request, version, cancellationToken).ConfigureAwait(false);
            if (sshReason is not null && request.Ssh is null)
            {
                throw steps.Fail("import-route", $"{sshReason}. Either update Proxmox VE / enable the import content type, or give the panel SSH access to the node (root, key-only) so it can copy and import the image itself");
            }
            vmId ??= await steps.RunAsync("reserve-id", "asking Proxmox for a free VM id", () => client.GetNextVmIdAsync(cancellationToken), id => $"VM id {id} is free").ConfigureAwait(false);
            var id = vmId.Value;

            if (sshReason is null)
            {
                await steps.RunTaskAsync("upload", $"uploading {request.ImageFileName} to storage {request.ImportStorage}", "image uploaded", async () =>
                {
                    await using var image = request.OpenImage();
                    return await client.UploadAsync(node, request.ImportStorage, UploadContent.Import, request.ImageFileName, image, request.ImageLength, request.ImageSha256, cancellationToken).ConfigureAwait(false);
                }, request.ImportWait, cancellationToken).ConfigureAwait(false);
                var disk = DiskImport.FromVolume(request.DiskStorage, DiskImport.ImportVolumeId(request.ImportStorage, request.ImageFileName), "discard=on,iothread=1");
                var config = TemplateOptions(request).Set("scsi0", disk).Set("boot", "order=scsi0");
                await steps.RunTaskAsync("create", $"creating VM {id} and importing the disk", $"VM {id} created",
                    () => client.CreateVmAsync(node, new VmCreateRequest { VmId = id, Config = config }, cancellationToken), request.ImportWait, cancellationToken).ConfigureAwait(false);
                created = id;
            }
            else
            {
                steps.Report("ssh", StepState.Started, $"using SSH to {request.Ssh!.Host}: {sshReason}");
                sshOpen = true;
                if (request.Ssh.PinnedHostKey is null)
                {
                    // First contact: read the key, send nothing else, and stop for the operator to confirm it.
                    var key = await ReadHostKeyAsync(steps, request.Ssh, cancellationToken).ConfigureAwait(false);
                    var ask = $"the SSH host key of {request.Ssh.Host}:{request.Ssh.Port} is {key}; nothing was sent or run. Compare it with " +
                              "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the node and confirm it to go on";
                    steps.Report("ssh-connect", StepState.Failed, ask);
                    steps.Report("ssh", StepState.Waiting, "waiting for the host key to be confirmed");
                    return Result(vmId, sshReason, null) with
                    {
                        SshReason = sshReason, SshHostKeyFingerprint = key, SshHostKeyWasNew = true, SshHostKeyToConfirm = key, FailedStep = "ssh-connect", Error = ask,
                    };
                }
                shell = await ConnectAsync(steps, request.Ssh, cancellationToken).ConfigureAwait(false);
                scratch = await MakePrivateDirectoryAsync(steps, shell, request.SshScratchDirectory, cancellationToken).ConfigureAwait(false);
                var remote = $"{scratch}/{request.ImageFileName}";
                await SshStepAsync(steps, "ssh-copy", $"copying {request.ImageFileName} to {remote} over SFTP", "image copied", async () =>
                {
                    await using var image = request.OpenImage();
                    await shell.UploadAsync(image, remote, cancellationToken).ConfigureAwait(false);
                }).ConfigureAwait(false);
                await steps.RunTaskAsync("create", $"creating VM {id}", $"VM {id} created",
                    () => client.CreateVmAsync(node, new VmCreateRequest { VmId = id, Config = TemplateOptions(request) }, cancellationToken), request.TaskWait, cancellationToken).ConfigureAwait(false);
                created = id;
                var import = ShellQuote.Command("qm", "set", id.ToString(CultureInfo.InvariantCulture),
                    "--scsi0", $"{request.DiskStorage}:0,import-from={remote},discard=on,iothread=1", "--boot", "order=scsi0");
                await RunRemoteAsync(steps, shell, "ssh-import", $"importing the disk on the node (qm set {id} --scsi0 …import-from)", "disk imported", import, cancellationToken).ConfigureAwait(false);
                await RunRemoteAsync(steps, shell, "ssh-cleanup", $"removing {scratch}", "copy removed", ShellQuote.Command("rm", "-rf", "--", scratch), cancellationToken).ConfigureAwait(false);
                scratch = null;
                steps.Report("ssh", StepState.Succeeded, $"image imported over SSH to {request.Ssh.Host}");
                sshOpen = false;
            }

            await steps.RunTaskAsync("template", $"converting VM {id} to a template", $"template {id} ready",
                () => client.ConvertToTemplateAsync(node, id, cancellationToken), request.TaskWait, cancellationToken).ConfigureAwait(false);
            return Result(id, sshReason, shell);
        }
        catch (StepFailedException e)
        {
            if (sshOpen)
                steps.Report("ssh", StepState.Failed, "stopped: see the failed step");
            return Result(vmId, sshReason, shell) with { FailedStep = e.StepId, Error = e.Message + await RemoveCreatedAsync(steps, request, created).ConfigureAwait(false) };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var step = steps.Cancelled("version");
            if (sshOpen)
                steps.Report("ssh", StepState.Failed, "cancelled");
            return Result(vmId, sshReason, shell) with { FailedStep = step, Error = "The import was cancelled." + await RemoveCreatedAsync(steps, request, created).ConfigureAwait(false) };
        }
        catch (ArgumentException e)
        {
            return Result(vmId, sshReason, shell) with { FailedStep = "upload", Error = e.Message };
        }
        finally
        {
            if (shell is not null)
            {
                // A failed import leaves no copy of the image behind on the node.
                if (scratch is not null)
                    await TryRemoveAsync(shell, scratch).ConfigureAwait(false);
                await shell.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Destroys the VM this import created, if any; says what happened, for the error text.</summary>
    private async Task<string> RemoveCreatedAsync(StepRunner steps, TemplateImportRequest request, int? created)
    {
        if (created is not { } id)
            return "";
        try
        {
            await steps.RunTaskAsync("cleanup", $"removing the half-made VM {id}", $"VM {id} removed",
                () => client.DeleteVmAsync(request.Node, id, cancellationToken: CancellationToken.None), request.TaskWait, CancellationToken.None).ConfigureAwait(false);
            return $" VM {id} was removed again.";
        }
        catch (Exception e) when (e is StepFailedException or Errors.ProxmoxException)
        {
            return $" Removing VM {id} failed too ({e.Message}); remove it in Proxmox (More → Remove).";
        }
    }

    private static TemplateImportResult Result(int? vmId, string? sshReason, IPveShell? shell) => new()
    {
        VmId = vmId,
        UsedSsh = shell is not null,
        SshReason = shell is not null ? sshReason : null,
        SshHostKeyFingerprint = shell?.HostKeyFingerprint,
        SshHostKeyWasNew = shell?.HostKeyWasNew ?? false,
    };

    /// <summary>The template's hardware: virtio-scsi-single, cloud-init drive on SCSI, serial console, guest agent on.</summary>
    // The same hardware as deploy/proxmox/install-on-pve.sh's template (q35, on boot, tagged; net0 with the firewall on).
    private static VmConfigChange TemplateOptions(TemplateImportRequest request) => new VmConfigChange()
        .Set("name", request.Name)
        .Set("machine", "q35")
        .Set("onboot", true)
        .Set("tags", "appliance")
        .Set("memory", request.MemoryMiB)
        .Set("cores", request.Cores)
        .Set("ostype", "l26")
        .Set("scsihw", "virtio-scsi-single")
        .Set("scsi1", $"{request.DiskStorage}:cloudinit")
        .Set("serial0", "socket")
        .Set("vga", "serial0")
        .Set("agent", "enabled=1")
        .Set("ciupgrade", false)
        .SetNetworkDevice(0, new NetworkDevice { Bridge = request.Bridge, Firewall = true });

    /// <summary>Null when the API can upload and import; else why not, in operator words.</summary>
    private async Task<string?> WhyApiCannotImportAsync(TemplateImportRequest request, PveVersion version, CancellationToken cancellationToken)
    {
        var parts = version.Version.Split('.', '-');
        var major = parts.Length > 0 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var a) ? a : 0;
        var minor = parts.Length > 1 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b : 0;
        if (major < 8 || (major == 8 && minor < 4))
            return $"Proxmox VE {version.Version} cannot take a qcow2 upload for import through the API (that needs 8.4 or newer)";
        var storages = await client.GetStoragesAsync(request.Node, null, cancellationToken).ConfigureAwait(false);
        if (storages.Any(s => s.Storage == request.ImportStorage && s.Holds("import")))
            return null;
        var lacking = $"storage '{request.ImportStorage}' on node {request.Node} does not hold the 'import' content type";
        var able = storages.Where(s => s.Holds("import")).Select(s => $"'{s.Storage}'").ToList();
        if (able.Count > 0)
            return $"{lacking}; {string.Join(", ", able)} {(able.Count == 1 ? "does" : "do")}: choose {(able.Count == 1 ? "it" : "one of them")} as the import storage";
        var chosen = storages.FirstOrDefault(s => s.Storage == request.ImportStorage);
        if (chosen is not null && !FileStorageTypes.Contains(chosen.Type))
        {
            var directory = storages.FirstOrDefault(s => FileStorageTypes.Contains(s.Type));
            return $"{lacking}, and a {chosen.Type} storage cannot (it holds disks, not files)" +
                   (directory is null ? "; add a directory storage with the 'import' content type"
                       : $"; add 'import' to a directory storage such as '{directory.Storage}': pvesm set {directory.Storage} --content {string.Join(",", directory.ContentTypes.Append("import"))}");
        }
        var content = chosen is null ? "<its current content>" : string.Join(",", chosen.ContentTypes.Append("import"));
        return $"{lacking} (enable it with: pvesm set {request.ImportStorage} --content {content})";
    }

    // Storage types that hold files (and so can hold 'import'); lvm, lvmthin, zfspool, rbd, iscsi hold only disks.
    private static readonly HashSet<string> FileStorageTypes = new(StringComparer.Ordinal) { "dir", "nfs", "cifs", "cephfs", "glusterfs", "btrfs" };

    private async Task<string> ReadHostKeyAsync(StepRunner steps, SshHostSettings settings, CancellationToken cancellationToken)
    {
        steps.Report("ssh-connect", StepState.Started, $"reading the host key of {settings.Host}:{settings.Port}");
        try
        {
            return await _shells.ReadHostKeyAsync(settings.Host, settings.Port, settings.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            throw steps.Fail("ssh-connect", e.Message, e);
        }
    }

    // mktemp -d makes a directory only its owner can enter, with a name nobody could have prepared in advance.
    private static async Task<string> MakePrivateDirectoryAsync(StepRunner steps, IPveShell shell, string parent, CancellationToken cancellationToken)
    {
        var template = $"{parent.TrimEnd('/')}/appliance-import.XXXXXXXXXX";
        steps.Report("ssh-scratch", StepState.Started, $"making a private directory in {parent} on the node");
        SshCommandResult made;
        try
        {
            made = await shell.RunAsync(ShellQuote.Command("mktemp", "-d", template), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Renci.SshNet.Common.SshException or IOException)
        {
            throw steps.Fail("ssh-scratch", $"making a private directory in {parent} on the node failed: {e.Message}", e);
        }
        var directory = made.Output.Trim();
        var prefix = template[..^10];
        if (!made.Succeeded || !directory.StartsWith(prefix, StringComparison.Ordinal) || directory.Length != template.Length
            || !directory[prefix.Length..].All(char.IsAsciiLetterOrDigit))
            throw steps.Fail("ssh-scratch", $"mktemp -d {template} failed on the node (exit {made.ExitStatus}): {LastLines(made.Error.Length > 0 ? made.Error : made.Output)}; check that {parent} exists and has space");
        steps.Report("ssh-scratch", StepState.Succeeded, $"private directory {directory}");
        return directory;
    }

    private static async Task TryRemoveAsync(IPveShell shell, string directory)
    {
        try
        {
            await shell.RunAsync(ShellQuote.Command("rm", "-rf", "--", directory), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Renci.SshNet.Common.SshException or IOException or InvalidOperationException)
        {
            // The directory is private to root and named at random; the failure the operator sees is the one that stopped the import.
        }
    }

    private async Task<IPveShell> ConnectAsync(StepRunner steps, SshHostSettings settings, CancellationToken cancellationToken)
    {
        steps.Report("ssh-connect", StepState.Started, $"connecting to {settings.Host}:{settings.Port} as {settings.User}");
        try
        {
            var shell = await _shells.ConnectAsync(settings, cancellationToken).ConfigureAwait(false);
            steps.Report("ssh-connect", StepState.Succeeded, shell.HostKeyWasNew
                ? $"connected; host key {shell.HostKeyFingerprint} seen for the first time: compare it with ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the node"
                : $"connected; host key {shell.HostKeyFingerprint} matches the pinned one");
            return shell;
        }
        catch (Exception e) when (e is SshHostKeyMismatchException or InvalidOperationException or ArgumentException)
        {
            throw steps.Fail("ssh-connect", e.Message, e);
        }
    }

    private static async Task SshStepAsync(StepRunner steps, string id, string doing, string done, Func<Task> action)
    {
        steps.Report(id, StepState.Started, doing);
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (Exception e) when (e is Renci.SshNet.Common.SshException or IOException)
        {
            throw steps.Fail(id, $"{doing} failed: {e.Message}", e);
        }
        steps.Report(id, StepState.Succeeded, done);
    }

    private static async Task RunRemoteAsync(StepRunner steps, IPveShell shell, string id, string doing, string done, string command, CancellationToken cancellationToken)
    {
        steps.Report(id, StepState.Started, doing);
        SshCommandResult result;
        try
        {
            result = await shell.RunAsync(command, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Renci.SshNet.Common.SshException or IOException)
        {
            throw steps.Fail(id, $"{doing} failed: {e.Message}", e);
        }
        if (!result.Succeeded)
            throw steps.Fail(id, $"{command} failed on the node (exit {result.ExitStatus}): {LastLines(result.Error.Length > 0 ? result.Error : result.Output)}");
        steps.Report(id, StepState.Succeeded, done);
    }

    private static string LastLines(string text)
        => string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(5));
}

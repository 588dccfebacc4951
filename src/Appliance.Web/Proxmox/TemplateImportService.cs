using Appliance.Proxmox.Ssh;
using Appliance.Proxmox.Workflows;
using Appliance.Proxmox.Workflows.TemplateImport;
using Appliance.Web.Agents;
using Appliance.Web.Audit;
using Appliance.Web.Data;

namespace Appliance.Web.Proxmox;

/// <summary>The import form's choices, apart from the image.</summary>
public sealed record TemplateImportChoices
{
    public required string Node { get; init; }
    public int? VmId { get; init; }
    public required string Name { get; init; }
    public required string ImportStorage { get; init; }
    public required string DiskStorage { get; init; }
    public required string Bridge { get; init; }

    /// <summary>SSH access, given only after the workflow said the API cannot import.</summary>
    public SshHostSettings? Ssh { get; init; }
}

/// <summary>A template import's outcome, and whether the page must ask for SSH access.</summary>
/// <param name="Result">The workflow's result.</param>
/// <param name="NeedsSsh">True when the API cannot import here and no SSH access was given: the page asks for it, <see cref="TemplateImportResult.Error"/> says why.</param>
public sealed record TemplateImportOutcome(TemplateImportResult Result, bool NeedsSsh);

/// <summary>
/// Imports the appliance qcow2 as a template through <see cref="TemplateImporter"/>, from a file on the panel host or one
/// uploaded from the browser (staged in the data directory and removed afterwards). Admin only, audited.
/// </summary>
public sealed class TemplateImportService(ProxmoxClients clients, ProxmoxSiteStore store, AuditLog audit, PanelDataDirectory data, TimeProvider time, IPveShellFactory? shells = null)
{
    /// <summary>Largest browser upload accepted.</summary>
    public const long MaxUploadBytes = 8L * 1024 * 1024 * 1024;

    /// <summary>Where browser uploads are staged.</summary>
    public string StagingDirectory => Path.Combine(data.FullPath, "uploads");

    /// <summary>Checks a path on the panel host: it must name an existing <c>.qcow2</c> file; null when fine, else the problem.</summary>
    public static string? CheckHostFile(string path)
    {
        if (string.IsNullOrWhiteSpace(path) || !Path.IsPathFullyQualified(path))
            return $"'{path}' is not an absolute path on the panel host; enter e.g. /var/lib/appliance-panel/images/appliance.qcow2";
        if (!path.EndsWith(".qcow2", StringComparison.OrdinalIgnoreCase))
            return $"'{Path.GetFileName(path)}' is not a .qcow2 file; the template is imported from the project's qcow2 image";
        return File.Exists(path) ? null : $"no file at {path} on the panel host; check the path (the panel runs as its own user and must be able to read it)";
    }

    /// <summary>Copies a browser upload to the staging directory; returns the staged path (delete it with <see cref="Unstage"/>).</summary>
    /// <param name="received">Told the bytes received so far, about every MiB (the browser's upload is this read).</param>
    public async Task<string> StageAsync(Stream upload, string fileName, IProgress<long>? received = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(StagingDirectory);
        var path = Path.Combine(StagingDirectory, $"{Guid.NewGuid():N}-{Path.GetFileName(fileName)}");
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        var buffer = new byte[1 << 16];
        long total = 0, reported = 0;
        int read;
        while ((read = await upload.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            total += read;
            if (total - reported >= 1 << 20)
            {
                reported = total;
                received?.Report(total);
            }
        }
        received?.Report(total);
        return path;
    }

    public void Unstage(string path)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) == Path.GetFullPath(StagingDirectory))
            File.Delete(path);
    }

    /// <summary>The stored SSH access with its key, for a retry; null when none is stored.</summary>
    public async Task<SshHostSettings?> StoredSshAsync()
    {
        var site = await store.ReadAsync();
        var key = await store.ReadSshKeyAsync();
        return site is { SshHost: { } host } && key is not null
            ? new SshHostSettings { Host = host, Port = site.SshPort ?? 22, User = site.SshUser ?? "root", PrivateKey = key, PinnedHostKey = site.SshHostKey }
            : null;
    }

    /// <summary>Runs the import of <paramref name="imagePath"/> (its file name is what Proxmox stores), reporting each step.</summary>
    public async Task<TemplateImportOutcome> ImportAsync(PanelOperator by, TemplateImportChoices choices, string imagePath, string imageFileName,
        IProgress<WorkflowStep>? progress, CancellationToken cancellationToken = default)
    {
        by.RequireAdmin("import the appliance template");
        ConnectedSite site;
        try
        {
            site = await clients.OpenAsync();
        }
        catch (ProxmoxNotConnectedException e)
        {
            return new TemplateImportOutcome(new TemplateImportResult { FailedStep = "connect", Error = e.Message }, false);
        }
        using (site)
        {
            var request = new TemplateImportRequest
            {
                Node = choices.Node,
                VmId = choices.VmId,
                Name = choices.Name,
                ImageFileName = imageFileName,
                OpenImage = () => File.OpenRead(imagePath),
                ImageLength = new FileInfo(imagePath).Length,
                ImportStorage = choices.ImportStorage,
                DiskStorage = choices.DiskStorage,
                Bridge = choices.Bridge,
                Ssh = choices.Ssh,
            };
            // The workflow reports "version" done, then fails "import-route" when the API cannot import here: the cue to ask for SSH.
            var watch = new SshNeedWatch(progress);
            var result = await new TemplateImporter(site.Client, time, shells).ImportAsync(request, watch, cancellationToken);
            var needsSsh = !result.Succeeded && choices.Ssh is null && watch.VersionReadThenFailed;
            var target = $"template {result.VmId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} ({choices.Name}) on {choices.Node}";
            var how = result.UsedSsh ? $"over SSH ({result.SshReason}; host key {result.SshHostKeyFingerprint})"
                : watch.SshStarted ? "over SSH (no connection made)"
                : "through the API";
            await audit.RecordAsync(by.Actor, result.Succeeded ? ProxmoxAuditActions.TemplateImported : ProxmoxAuditActions.TemplateImportFailed, target,
                result.Succeeded ? $"{imageFileName} {how}" : $"{imageFileName} {how}: failed at {result.FailedStep}: {result.Error}");
            return new TemplateImportOutcome(result, needsSsh);
        }
    }

    /// <summary>Stores SSH access with the host key the admin confirmed as the pin.</summary>
    public async Task PinSshAsync(PanelOperator by, SshHostSettings ssh, string hostKeyFingerprint)
    {
        by.RequireAdmin("pin an SSH host key");
        if (!SshHostKeyPin.TryNormalize(hostKeyFingerprint, out _))
            throw new ArgumentException($"'{hostKeyFingerprint}' is not a SHA-256 host key fingerprint", nameof(hostKeyFingerprint));
        if (!await store.SaveSshAsync(ssh.Host, ssh.Port, ssh.User, ssh.PrivateKey, hostKeyFingerprint))
            throw new ProxmoxNotConnectedException();
        await audit.RecordAsync(by.Actor, ProxmoxAuditActions.SshHostKeyPinned, $"{ssh.User}@{ssh.Host}:{ssh.Port}", hostKeyFingerprint);
    }

    private sealed class SshNeedWatch(IProgress<WorkflowStep>? inner) : IProgress<WorkflowStep>
    {
        /// <summary>The workflow found the API cannot import here (the cue to ask for SSH).</summary>
        public bool VersionReadThenFailed { get; private set; }

        /// <summary>The workflow began its SSH path.</summary>
        public bool SshStarted { get; private set; }

        public void Report(WorkflowStep value)
        {
            if (value.Id == "import-route" && value.State == StepState.Failed)
                VersionReadThenFailed = true;
            else if (value.Id == "ssh" && value.State == StepState.Started)
                SshStarted = true;
            inner?.Report(value);
        }
    }
}

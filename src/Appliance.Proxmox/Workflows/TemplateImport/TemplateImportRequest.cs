using Appliance.Proxmox.Ssh;
using Appliance.Proxmox.Tasks;

namespace Appliance.Proxmox.Workflows.TemplateImport;

/// <summary>The project's qcow2 and where its template VM goes.</summary>
public sealed record TemplateImportRequest
{
    /// <summary>Node to create the template on.</summary>
    public required string Node { get; init; }

    /// <summary>VMID of the template; null takes the next free one.</summary>
    public int? VmId { get; init; }

    /// <summary>Template name.</summary>
    public string Name { get; init; } = "l2vpn-appliance-template";

    /// <summary>File name of the image, e.g. <c>appliance-1.4.0.qcow2</c>: letters, digits and <c>._+-</c>, ending in <c>.qcow2</c> (checked: it goes into PVE property strings).</summary>
    public required string ImageFileName { get; init; }

    /// <summary>Opens the image for reading (called once, for whichever path is taken).</summary>
    public required Func<Stream> OpenImage { get; init; }

    /// <summary>Image size when the stream cannot seek.</summary>
    public long? ImageLength { get; init; }

    /// <summary>SHA-256 of the image (hex) for Proxmox to verify the upload.</summary>
    public string? ImageSha256 { get; init; }

    /// <summary>File-based storage with the <c>import</c> content type, for the API upload.</summary>
    public string ImportStorage { get; init; } = "local";

    /// <summary>Storage for the template's disk and cloud-init drive.</summary>
    public string DiskStorage { get; init; } = "local-lvm";

    /// <summary>Bridge of the template's <c>net0</c> (a deploy sets the final NICs).</summary>
    public string Bridge { get; init; } = "vmbr0";

    /// <summary>Memory, MiB.</summary>
    public int MemoryMiB { get; init; } = 1024;

    /// <summary>vCPUs.</summary>
    public int Cores { get; init; } = 2;

    /// <summary>SSH access to the node, used only where the API cannot do the job (PVE &lt; 8.4, no import storage); null forbids it.</summary>
    public SshHostSettings? Ssh { get; init; }

    /// <summary>Directory on the node in which a fresh private (0700) directory is made for the copied image on the SSH path (removed after the import).</summary>
    public string SshScratchDirectory { get; init; } = "/var/tmp";

    /// <summary>Wait for the upload's copy task and the disk import.</summary>
    public TaskWaitOptions ImportWait { get; init; } = new() { Timeout = TimeSpan.FromMinutes(30), PollInterval = TimeSpan.FromSeconds(2) };

    /// <summary>Wait for the template conversion.</summary>
    public TaskWaitOptions TaskWait { get; init; } = new() { Timeout = TimeSpan.FromMinutes(3) };
}

/// <summary>The outcome of a template import, saying whether and why SSH was used.</summary>
public sealed record TemplateImportResult
{
    /// <summary>True when the template exists.</summary>
    public bool Succeeded => Error is null;

    /// <summary>The template's VMID (also on failure once reserved).</summary>
    public int? VmId { get; init; }

    /// <summary>True when a step ran over SSH.</summary>
    public bool UsedSsh { get; init; }

    /// <summary>Why SSH was needed, for the page to say so; null on the API path.</summary>
    public string? SshReason { get; init; }

    /// <summary>The host key seen over SSH (<c>SHA256:…</c>): store it as the pin when <see cref="SshHostKeyWasNew"/>.</summary>
    public string? SshHostKeyFingerprint { get; init; }

    /// <summary>True when the SSH host key was accepted on first contact.</summary>
    public bool SshHostKeyWasNew { get; init; }

    /// <summary>
    /// The host key the node presented when no key was pinned: nothing was sent or run; the operator compares it with
    /// <c>ssh-keygen -lf</c> on the node and, if it matches, runs the import again with it as the pin.
    /// </summary>
    public string? SshHostKeyToConfirm { get; init; }

    /// <summary>The step that failed.</summary>
    public string? FailedStep { get; init; }

    /// <summary>Why, in operator words.</summary>
    public string? Error { get; init; }
}

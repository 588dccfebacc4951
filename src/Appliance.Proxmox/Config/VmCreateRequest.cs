namespace Appliance.Proxmox.Config;

/// <summary>A new VM: its id plus config options (<c>POST /nodes/{node}/qemu</c>).</summary>
public sealed record VmCreateRequest
{
    /// <summary>The new VMID (from <c>/cluster/nextid</c>).</summary>
    public required int VmId { get; init; }

    /// <summary>Options: name, memory, disks (<see cref="DiskImport"/>), NICs, cloud-init.</summary>
    public VmConfigChange Config { get; init; } = new();

    /// <summary>Start the VM once created.</summary>
    public bool? Start { get; init; }
}

/// <summary>Clone options (<c>POST …/{vmid}/clone</c>).</summary>
public sealed record VmCloneRequest
{
    /// <summary>VMID of the copy.</summary>
    public required int NewVmId { get; init; }

    /// <summary>Name of the copy (a DNS name).</summary>
    public string? Name { get; init; }

    /// <summary>Full copy instead of a linked clone (templates default to linked).</summary>
    public bool? Full { get; init; }

    /// <summary>Target storage for a full clone.</summary>
    public string? Storage { get; init; }

    /// <summary>Target node (shared storage only).</summary>
    public string? TargetNode { get; init; }

    /// <summary>Description of the copy.</summary>
    public string? Description { get; init; }
}

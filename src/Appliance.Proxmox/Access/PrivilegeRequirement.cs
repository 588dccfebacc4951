namespace Appliance.Proxmox.Access;

/// <summary>A privilege the panel needs on an ACL path, and for what.</summary>
/// <param name="Path">ACL path, e.g. <c>/vms/100</c>, <c>/storage/local</c>, <c>/sdn/zones/localnetwork/vmbr1</c>.</param>
/// <param name="Privilege">Privilege name, e.g. <c>VM.PowerMgmt</c>.</param>
/// <param name="Purpose">What the panel does with it, in operator words.</param>
public sealed record PrivilegeRequirement(string Path, string Privilege, string Purpose);

/// <summary>The privileges the panel needs to run the appliance VM (brief §1.5).</summary>
public static class AppliancePrivileges
{
    /// <summary>
    /// The requirements for operating VM <paramref name="vmId"/> on <paramref name="node"/> with images on
    /// <paramref name="imageStorage"/>, disks on <paramref name="diskStorage"/> and NICs on <paramref name="bridges"/>.
    /// PVE 9 renamed VM.Monitor to VM.GuestAgent.*; <paramref name="pveMajorVersion"/> picks the right name.
    /// </summary>
    public static IReadOnlyList<PrivilegeRequirement> For(string node, int vmId, string imageStorage, string diskStorage, IEnumerable<string> bridges, int pveMajorVersion)
        => ForPath(node, $"/vms/{vmId}", imageStorage, diskStorage, bridges, pveMajorVersion);

    /// <summary>
    /// As <see cref="For"/>, for VMs under <paramref name="vmPath"/>: <c>/vms</c> before the appliance VM exists
    /// (the privileges must then propagate), a pool path, or <c>/vms/{vmid}</c>.
    /// </summary>
    public static IReadOnlyList<PrivilegeRequirement> ForPath(string node, string vmPath, string imageStorage, string diskStorage, IEnumerable<string> bridges, int pveMajorVersion)
    {
        var vm = vmPath;
        var list = new List<PrivilegeRequirement>
        {
            new(vm, "VM.Audit", "read the VM's status, config and graphs"),
            new(vm, "VM.PowerMgmt", "start, shut down, reboot and stop the VM"),
            new(vm, "VM.Allocate", "create the VM and convert it to a template"),
            new(vm, "VM.Clone", "clone the appliance template"),
            new(vm, "VM.Config.Disk", "attach the imported disk and the cloud-init drive"),
            new(vm, "VM.Config.Network", "connect the NICs to bridges"),
            new(vm, "VM.Config.Cloudinit", "set the cloud-init user, SSH keys and addresses"),
            new(vm, "VM.Config.Options", "set name, boot order, agent and start at boot"),
            new(vm, "VM.Config.CPU", "set the vCPU count"),
            new(vm, "VM.Config.Memory", "set the memory size"),
            new(vm, "VM.Config.HWType", "give the template its SCSI controller and serial console"),
            new(vm, pveMajorVersion >= 9 ? "VM.GuestAgent.Audit" : "VM.Monitor", "ask the guest agent for the VM's addresses"),
            new(vm, pveMajorVersion >= 9 ? "VM.GuestAgent.FileWrite" : "VM.Monitor", "hand the agent its pairing token through the guest agent"),
            new(vm, pveMajorVersion >= 9 ? "VM.GuestAgent.FileRead" : "VM.Monitor", "read the agent's certificate fingerprint through the guest agent"),
            new($"/storage/{imageStorage}", "Datastore.AllocateTemplate", "upload the appliance image"),
            new($"/storage/{imageStorage}", "Datastore.Audit", "list uploaded images"),
            new($"/storage/{diskStorage}", "Datastore.AllocateSpace", "allocate the VM's disks"),
            new($"/nodes/{node}", "Sys.Audit", "read node status and task logs"),
        };
        foreach (var bridge in bridges.Distinct(StringComparer.Ordinal))
            list.Add(new($"/sdn/zones/localnetwork/{bridge}", "SDN.Use", $"attach a NIC to bridge {bridge}"));
        // On PVE 8 one privilege (VM.Monitor) serves several purposes: list it once.
        return list.DistinctBy(r => (r.Path, r.Privilege)).ToList();
    }
}

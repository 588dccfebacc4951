namespace Appliance.Proxmox.Workflows.Preflight;

/// <summary>Stable ids of the PPPoE NIC checks, for pages and tests.</summary>
public static class PreflightCheckIds
{
    /// <summary>The PPPoE bridge exists on the node.</summary>
    public const string BridgeExists = "bridge-exists";
    /// <summary>The bridge holds a physical port (the NIC facing the modem/ONT).</summary>
    public const string BridgePhysicalPort = "bridge-physical-port";
    /// <summary>The bridge MTU is at least 1500.</summary>
    public const string BridgeMtu = "bridge-mtu";
    /// <summary>The VM has a NIC on the bridge.</summary>
    public const string NicOnBridge = "nic-on-bridge";
    /// <summary>That NIC has the Proxmox firewall off.</summary>
    public const string NicFirewallOff = "nic-firewall-off";
    /// <summary>That NIC is virtio.</summary>
    public const string NicModelVirtio = "nic-model-virtio";
    /// <summary>That NIC's MTU setting suits the bridge.</summary>
    public const string NicMtu = "nic-mtu";
}

/// <summary>A change the API can make to fix a failed check.</summary>
/// <param name="CheckId">The check it fixes.</param>
/// <param name="Description">What it does, for the button.</param>
public abstract record PreflightFix(string CheckId, string Description);

/// <summary>Rewrites one <c>netN</c> value of the VM, only if its config is unchanged since the check (VM.Config.Network).</summary>
/// <param name="CheckId">The check it fixes.</param>
/// <param name="Description">What it does.</param>
/// <param name="NicIndex">N of <c>netN</c>.</param>
/// <param name="NewValue">The complete new <c>netN</c> property string (other fields kept).</param>
/// <param name="ConfigDigest">Digest of the config the check read; PVE refuses the write if it changed since.</param>
public sealed record NicFix(string CheckId, string Description, int NicIndex, string NewValue, string? ConfigDigest) : PreflightFix(CheckId, Description);

/// <summary>
/// Creates the bridge or changes its ports or MTU on the node, then applies the network configuration (Sys.Modify on
/// the node: usually a separate setup token). When <see cref="CandidatePorts"/> is not empty the operator picks the
/// modem/ONT-facing NIC among them.
/// </summary>
/// <param name="CheckId">The check it fixes.</param>
/// <param name="Description">What it does.</param>
/// <param name="Bridge">The bridge.</param>
/// <param name="Create">True to create the bridge, false to change it.</param>
/// <param name="CandidatePorts">Physical NICs in no bridge and without an address, to choose the port from; empty when no port is added.</param>
/// <param name="KeepPorts">Ports the bridge keeps.</param>
/// <param name="Mtu">MTU to set; null leaves it.</param>
public sealed record BridgeFix(string CheckId, string Description, string Bridge, bool Create, IReadOnlyList<string> CandidatePorts, IReadOnlyList<string> KeepPorts, int? Mtu)
    : PreflightFix(CheckId, Description)
{
    /// <summary>True when the operator must choose a port (more than one candidate).</summary>
    public bool NeedsPortChoice => CandidatePorts.Count > 1;
}

/// <summary>One check's outcome.</summary>
/// <param name="Id">Stable id (<see cref="PreflightCheckIds"/>).</param>
/// <param name="Passed">True when fine.</param>
/// <param name="Message">What was found; when failed, how to fix it.</param>
/// <param name="Fix">The API fix, when one exists.</param>
public sealed record PreflightCheck(string Id, bool Passed, string Message, PreflightFix? Fix = null);

/// <summary>All checks of one VM's PPPoE NIC.</summary>
public sealed record PreflightReport(string Node, int VmId, string Bridge, IReadOnlyList<PreflightCheck> Checks)
{
    /// <summary>True when every check passed.</summary>
    public bool Passed => Checks.All(c => c.Passed);

    /// <summary>The failed checks.</summary>
    public IEnumerable<PreflightCheck> Failures => Checks.Where(c => !c.Passed);

    /// <summary>The check with <paramref name="id"/>, or null when it was not run (an earlier check failed).</summary>
    public PreflightCheck? this[string id] => Checks.FirstOrDefault(c => c.Id == id);
}

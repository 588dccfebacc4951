using Appliance.Proxmox.Config;
using Appliance.Proxmox.Tasks;

namespace Appliance.Proxmox.Workflows.Deploy;

/// <summary>What the operator chose for a new appliance VM cloned from the template.</summary>
public sealed record DeployRequest
{
    /// <summary>Node holding the template.</summary>
    public required string Node { get; init; }

    /// <summary>VMID of the appliance template.</summary>
    public required int TemplateVmId { get; init; }

    /// <summary>VMID of the new VM; null takes the next free one.</summary>
    public int? NewVmId { get; init; }

    /// <summary>Name of the new VM (a DNS name).</summary>
    public required string Name { get; init; }

    /// <summary>Storage for the full clone's disks; null keeps the template's.</summary>
    public string? TargetStorage { get; init; }

    /// <summary>Bridge of <c>net0</c>, the client-facing NIC the VPN clients reach.</summary>
    public string ClientBridge { get; init; } = "vmbr0";

    /// <summary>Bridge of <c>net1</c>, the PPPoE NIC (firewall always off: its MAC filter would drop the clients' MACs).</summary>
    public string PppoeBridge { get; init; } = "vmbr1";

    /// <summary>Cloud-init user.</summary>
    public string CloudInitUser { get; init; } = "appliance";

    /// <summary>OpenSSH public keys for that user.</summary>
    public IReadOnlyList<string> SshPublicKeys { get; init; } = [];

    /// <summary>Addressing of <c>net0</c>; DHCP by default.</summary>
    public IpConfig ClientAddress { get; init; } = IpConfig.Dhcp;

    /// <summary>Port of the agent's HTTPS API.</summary>
    public int AgentPort { get; init; } = 7443;

    /// <summary>Wait for the clone task (full clones copy the whole disk).</summary>
    public TaskWaitOptions CloneWait { get; init; } = new() { Timeout = TimeSpan.FromMinutes(30), PollInterval = TimeSpan.FromSeconds(2) };

    /// <summary>Wait for config and start tasks.</summary>
    public TaskWaitOptions TaskWait { get; init; } = new() { Timeout = TimeSpan.FromMinutes(3) };

    /// <summary>How long the guest may take to boot until its guest agent answers.</summary>
    public TimeSpan GuestAgentTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long the agent may take to publish its fingerprint and the guest to get an address.</summary>
    public TimeSpan PairingTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Keep the VM when a step after the clone fails (to look at its console); by default it is stopped and destroyed,
    /// so a failed deploy leaves nothing half-made.
    /// </summary>
    public bool KeepFailedVm { get; init; }

    /// <summary>Interval between polls of the guest agent.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>What makes the request unsafe to run, in operator words; empty when it may run.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (string.Equals(ClientBridge, PppoeBridge, StringComparison.Ordinal))
            problems.Add($"net0 (clients) and net1 (PPPoE) are both on bridge {ClientBridge}: the clients' network would carry the ISP's PPPoE and the " +
                         "agent's API would face the uplink; choose two different bridges");
        return problems;
    }
}

/// <summary>The outcome of a deploy. Holds the pairing token: store it, never log it (<see cref="ToString"/> hides it).</summary>
public sealed record DeployResult
{
    /// <summary>True when the VM runs and the panel knows the agent's URL, token and fingerprint.</summary>
    public bool Succeeded => Error is null;

    /// <summary>The new VM's id, once reserved (also on failure: the VM may exist and need removing).</summary>
    public int? VmId { get; init; }

    /// <summary><c>https://&lt;guest address&gt;:7443</c>.</summary>
    public Uri? AgentUrl { get; init; }

    /// <summary>The pairing token the panel generated and placed in the guest.</summary>
    public string? PairingToken { get; init; }

    /// <summary>SHA-256 fingerprint of the agent's API certificate, <c>AB:CD:…</c>: pin it.</summary>
    public string? AgentFingerprint { get; init; }

    /// <summary>The step that failed.</summary>
    public string? FailedStep { get; init; }

    /// <summary>Why, in operator words.</summary>
    public string? Error { get; init; }

    /// <inheritdoc />
    public override string ToString()
        => Succeeded ? $"deployed VM {VmId}: agent {AgentUrl} fingerprint {AgentFingerprint} token ***" : $"deploy failed at {FailedStep}: {Error}";
}

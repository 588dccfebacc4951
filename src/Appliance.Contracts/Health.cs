namespace Appliance.Contracts;

/// <summary>What the agent says about itself.</summary>
/// <param name="Version">The agent's version (informational version of its assembly).</param>
/// <param name="StartedAt">When this process started.</param>
/// <param name="Uplink">The uplink's interface name, or "" when detached.</param>
/// <param name="UplinkKind">"raw-nic", "tap-on-bridge", "lab-bridge" or "detached".</param>
/// <param name="Listeners">Where the tunnel listens, e.g. "udp 0.0.0.0:1194".</param>
/// <param name="Sessions">Live tunnel sessions.</param>
/// <param name="Clients">Issued clients in force (not revoked, not expired).</param>
/// <param name="Lab">The one-machine lab's state when the agent runs one, else null.</param>
public sealed record AgentHealthDto(
    string Version,
    DateTimeOffset StartedAt,
    string Uplink,
    string UplinkKind,
    IReadOnlyList<string> Listeners,
    int Sessions,
    int Clients,
    string ServerName,
    LabStatusDto? Lab);

/// <summary>The lab's PPPoE server (a real pppoe-server in a user-mode-linux guest on the uplink bridge).</summary>
/// <param name="State">"starting", "running", "failed" or "unavailable".</param>
/// <param name="Detail">Why it is not running, or what it offers (service name, address pool, the lab's PAP user).</param>
public sealed record LabStatusDto(string State, string Detail);

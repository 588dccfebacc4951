namespace Appliance.Contracts;

/// <summary>
/// The agent's configuration as JSON (the config file's shape, camelCase keys). PUT the whole document to change it:
/// it is validated first (a 400 names every bad key and why), then written atomically and applied; keys that only
/// take effect at restart are listed in <see cref="ConfigChangeResult.RestartRequired"/>.
/// </summary>
public sealed record AgentConfigDto(
    ApiConfigDto Api,
    TunnelConfigDto Tunnel,
    UplinkConfigDto Uplink,
    SwitchConfigDto Switch,
    ProfileConfigDto Profiles,
    LabConfigDto Lab);

/// <param name="Listen">address:port of the HTTPS control API, e.g. "0.0.0.0:7443". Restart required.</param>
public sealed record ApiConfigDto(string Listen);

/// <param name="Listen">Tunnel listeners, e.g. ["udp 0.0.0.0:1194", "tcp 0.0.0.0:1194"]. Restart required.</param>
/// <param name="Ciphers">Data-channel ciphers in order of preference (AES-256-GCM, CHACHA20-POLY1305, AES-128-GCM).</param>
/// <param name="MaxSessions">1..65535.</param>
/// <param name="PingSeconds">Keepalive pushed to clients (1..3600).</param>
/// <param name="PingRestartSeconds">Silence after which a session is closed (&gt; 2 × ping, ≤ 86400).</param>
/// <param name="EndedSessionsPerClient">How many ended sessions the agent keeps per client with their last view, findings and captures
/// (1..100, default 5; applied at once: a lower number forgets the oldest at once).</param>
public sealed record TunnelConfigDto(IReadOnlyList<string> Listen, IReadOnlyList<string> Ciphers, int MaxSessions, int PingSeconds, int PingRestartSeconds,
    int RenegotiateSeconds = 3600, int EndedSessionsPerClient = 5);

/// <param name="Nic">A NIC to attach to with a raw socket (the PPPoE NIC), or null.</param>
/// <param name="Bridge">An existing bridge to join with a TAP, or null.</param>
/// <param name="LabBridge">The bridge a lab run creates when neither is named.</param>
/// <param name="Mtu">The uplink's MTU (576..9000; default 1500). Frames longer than MTU + 14 (+ tags) are dropped as oversize.</param>
public sealed record UplinkConfigDto(string? Nic, string? Bridge, string LabBridge, int Mtu);

/// <param name="Policy">"pppoe-only" (default: PPPoE discovery and session frames only) or "all-layer2".</param>
/// <param name="SessionMacLimit">MACs one session may use (1..4096).</param>
/// <param name="Isolation">Sessions cannot reach each other, only the uplink (default true).</param>
/// <param name="MacAgingSeconds">10..86400.</param>
public sealed record SwitchConfigDto(string Policy, int SessionMacLimit, bool Isolation, int MacAgingSeconds);

/// <param name="ServerHost">The name or address clients dial (written into profiles).</param>
/// <param name="UdpPort">The port UDP profiles dial (defaults to the first UDP listener's port).</param>
/// <param name="TcpPort">The port TCP profiles dial.</param>
/// <param name="ClientValidityDays">Default certificate lifetime of a new client (1..3650).</param>
public sealed record ProfileConfigDto(string ServerHost, int UdpPort, int TcpPort, int ClientValidityDays);

/// <param name="PppoeServer">Run the lab's pppoe-server (user-mode-linux) on the lab bridge when no uplink is named and the machine allows it.</param>
public sealed record LabConfigDto(bool PppoeServer);

/// <param name="Applied">Keys whose new values are in force now.</param>
/// <param name="RestartRequired">Keys that changed but take effect at the next start.</param>
public sealed record ConfigChangeResult(IReadOnlyList<string> Applied, IReadOnlyList<string> RestartRequired);

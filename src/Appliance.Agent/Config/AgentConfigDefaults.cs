using Appliance.Contracts;

namespace Appliance.Agent.Config;

/// <summary>What the agent runs with when neither the config file, the environment nor a flag says otherwise.</summary>
public static class AgentConfigDefaults
{
    public const string ApiListen = "127.0.0.1:7443";
    public const string DefaultConfigPath = "/etc/appliance/agent.json";
    public const string DefaultPairingTokenPath = "/etc/appliance/pairing.token";
    public const string EnvironmentPrefix = "APPLIANCE_";

    public static readonly IReadOnlyList<string> TunnelListen = ["udp 0.0.0.0:1194", "tcp 0.0.0.0:1194"];
    public static readonly IReadOnlyList<string> Ciphers = ["AES-256-GCM", "CHACHA20-POLY1305", "AES-128-GCM"];

    /// <param name="hostName">Written into profiles as the address clients dial (<c>profiles.serverHost</c>).</param>
    public static AgentConfigDto Create(string hostName) => new(
        new ApiConfigDto(ApiListen),
        new TunnelConfigDto(TunnelListen, Ciphers, MaxSessions: 1024, PingSeconds: 2, PingRestartSeconds: 10),
        new UplinkConfigDto(Nic: null, Bridge: null, LabBridge: "appl-lab0", Mtu: 1500),
        new SwitchConfigDto(SwitchPolicies.PppoeOnly, SessionMacLimit: 8, Isolation: true, MacAgingSeconds: 300),
        new ProfileConfigDto(hostName, UdpPort: 0, TcpPort: 0, ClientValidityDays: 365),
        new LabConfigDto(PppoeServer: true));
}

/// <summary>The switch policies as the config spells them.</summary>
public static class SwitchPolicies
{
    public const string PppoeOnly = "pppoe-only";
    public const string AllLayer2 = "all-layer2";
}

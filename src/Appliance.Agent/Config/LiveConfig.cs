using System.Runtime.Versioning;
using Appliance.Contracts;
using Appliance.Tunnel.Switching;

namespace Appliance.Agent.Config;

/// <summary>The configuration in force: read by every service, changed by a PUT (validated, written, then applied).</summary>
/// <remarks>Changes are serialized; the switch's options are swapped whole, so live sessions keep running.</remarks>
[SupportedOSPlatform("linux")]
public sealed class LiveConfig(AgentConfigDto initial, AgentConfigFile file, EthernetSwitch sw)
{
    private readonly Lock _gate = new();
    private AgentConfigDto _current = initial;

    /// <summary>The configuration the running agent uses (for restart-only keys: the one it started with, until restart).</summary>
    public AgentConfigDto Current => Volatile.Read(ref _current);

    /// <summary>The config as this start read it; restart-only keys keep these values until the next start.</summary>
    public AgentConfigDto Started { get; } = initial;

    public string FilePath => file.SavePath;

    /// <summary>Validates, writes and applies; returns the errors (nothing changed) or what was applied and what waits for a restart.</summary>
    public (ConfigChangeResult? Result, ConfigErrors Errors) Change(AgentConfigDto proposed)
    {
        var errors = AgentConfigValidator.Validate(proposed);
        if (errors.Count > 0)
            return (null, errors);
        lock (_gate)
        {
            // Live keys: what changes now; restart keys: what differs from the running start, however many PUTs ago.
            var result = new ConfigChangeResult(ConfigChanges.Diff(Current, proposed).Applied, ConfigChanges.Diff(Started, proposed).RestartRequired);
            file.Save(proposed);
            Volatile.Write(ref _current, proposed);
            // The MTU sizes the engine's buffers: it waits for a restart like the listeners.
            sw.Options = SwitchOptionsOf(proposed, sw.Options) with { Mtu = Started.Uplink.Mtu };
            return (result, errors);
        }
    }

    public static SwitchOptions SwitchOptionsOf(AgentConfigDto config, SwitchOptions? basis = null) => (basis ?? new SwitchOptions()) with
    {
        Mtu = config.Uplink.Mtu,
        Policy = config.Switch.Policy == SwitchPolicies.AllLayer2 ? SwitchPolicy.AllLayer2 : SwitchPolicy.PppoeOnly,
        IsolateSessions = config.Switch.Isolation,
        MaxMacsPerSession = config.Switch.SessionMacLimit,
        MacAgingTime = TimeSpan.FromSeconds(config.Switch.MacAgingSeconds),
    };
}

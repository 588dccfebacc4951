using System.Net;
using Appliance.Agent.Config;

namespace Appliance.Agent;

/// <summary><c>serve</c>'s command-line flags: where the config and state are, and overrides of config keys (flags win over the file and the environment).</summary>
public sealed record AgentOptions
{
    /// <summary>Overrides <c>api.listen</c>.</summary>
    public IPEndPoint? Listen { get; init; }

    /// <summary>Overrides <c>uplink.nic</c>: a NIC to attach to with a raw socket (the PPPoE NIC).</summary>
    public string? UplinkNic { get; init; }

    /// <summary>Overrides <c>uplink.bridge</c>: an existing Linux bridge to join with the agent's uplink TAP.</summary>
    public string? UplinkBridge { get; init; }

    /// <summary>Overrides <c>uplink.labBridge</c>.</summary>
    public string? LabBridge { get; init; }

    /// <summary>Overrides <c>switch.policy</c> with all-layer2.</summary>
    public bool AllLayer2 { get; init; }

    /// <summary>The name of the agent's uplink TAP (default appl-up0); lets two agents share a machine.</summary>
    public string UplinkTap { get; init; } = "appl-up0";

    /// <summary>Overrides <c>tunnel.endedSessionsPerClient</c>: how many ended sessions the agent keeps per client (1..100).</summary>
    public int? EndedSessionsPerClient { get; init; }

    /// <summary>Without systemd, how long a stopping agent waits for the next one to take its sessions over (0..20 s, inside the host's 30 s stop timeout; 0
    /// turns the hand-over off: a stop then ends the sessions as before). Under systemd the fd store is used instead.</summary>
    public int HandoverWaitSeconds { get; init; } = 5;

    /// <summary>The state directory; null means the default (<see cref="State.StateDirectory.ResolveDefaultPath"/>).</summary>
    public string? StatePath { get; init; }

    /// <summary>The config file; null means <see cref="AgentConfigDefaults.DefaultConfigPath"/> when it exists.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>A preset pairing token to adopt at start (then deleted); the Proxmox deploy writes it through the guest agent.</summary>
    public string PairingTokenPath { get; init; } = AgentConfigDefaults.DefaultPairingTokenPath;

    /// <summary>Parses <c>serve</c>'s arguments; returns the options or every problem found.</summary>
    public static (AgentOptions? Options, IReadOnlyList<string> Errors) Parse(IReadOnlyList<string> args)
    {
        var errors = new List<string>();
        var options = new AgentOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string? Value()
            {
                if (i + 1 < args.Count)
                    return args[++i];
                errors.Add($"{arg} needs a value");
                return null;
            }
            string? PathValue()
            {
                if (Value() is not { } path)
                    return null;
                if (path.Length > 0 && path.IndexOf('\0', StringComparison.Ordinal) < 0)
                    return path;
                errors.Add($"{arg} '{path}' is not a path");
                return null;
            }
            switch (arg)
            {
                case "--listen":
                    if (Value() is { } listen)
                    {
                        if (ListenAddress.TryParseEndPoint(listen, out var endpoint, out _))
                            options = options with { Listen = endpoint };
                        else
                            errors.Add($"--listen '{listen}' is not an address:port like 127.0.0.1:7443");
                    }
                    break;
                case "--uplink-nic":
                    options = options with { UplinkNic = Value() };
                    break;
                case "--uplink-bridge":
                    options = options with { UplinkBridge = Value() };
                    break;
                case "--uplink-tap":
                    options = options with { UplinkTap = Value() ?? options.UplinkTap };
                    break;
                case "--lab-bridge":
                    options = options with { LabBridge = Value() };
                    break;
                case "--state-dir":
                    options = options with { StatePath = PathValue() ?? options.StatePath };
                    break;
                case "--config":
                    options = options with { ConfigPath = PathValue() ?? options.ConfigPath };
                    break;
                case "--pairing-token-file":
                    options = options with { PairingTokenPath = PathValue() ?? options.PairingTokenPath };
                    break;
                case "--ended-sessions-per-client":
                    if (Value() is { } kept)
                    {
                        if (int.TryParse(kept, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int count) && count is >= 1 and <= 100)
                            options = options with { EndedSessionsPerClient = count };
                        else
                            errors.Add($"--ended-sessions-per-client '{kept}' is not a number from 1 to 100");
                    }
                    break;
                case "--handover-wait":
                    if (Value() is { } wait)
                    {
                        if (int.TryParse(wait, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int seconds) && seconds is >= 0 and <= 20)
                            options = options with { HandoverWaitSeconds = seconds };
                        else
                            errors.Add($"--handover-wait '{wait}' is not a number of seconds from 0 to 20");
                    }
                    break;
                case "--all-layer2":
                    options = options with { AllLayer2 = true };
                    break;
                default:
                    errors.Add($"unknown option '{arg}'; known: --config, --listen, --uplink-nic, --uplink-bridge, --uplink-tap, --lab-bridge, --all-layer2, --ended-sessions-per-client, --handover-wait, --state-dir, --pairing-token-file");
                    break;
            }
        }
        if (options.UplinkNic is not null && options.UplinkBridge is not null)
            errors.Add("--uplink-nic and --uplink-bridge exclude each other: name the PPPoE NIC or a bridge that holds it, not both");
        foreach (var name in new[] { options.UplinkNic, options.UplinkBridge, options.LabBridge, options.UplinkTap })
        {
            if (name is not null && !IsInterfaceName(name))
                errors.Add($"'{name}' is not a Linux interface name (1-15 characters, no '/', ':' or spaces)");
        }
        return errors.Count == 0 ? (options, errors) : (null, errors);
    }

    /// <summary>The flags as configuration keys, the last and strongest layer.</summary>
    public IReadOnlyDictionary<string, string?> ToConfigOverrides()
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (Listen is not null)
            overrides["api:listen"] = Listen.ToString();
        if (UplinkNic is not null)
        {
            overrides["uplink:nic"] = UplinkNic;
            overrides["uplink:bridge"] = "";
        }
        if (UplinkBridge is not null)
        {
            overrides["uplink:bridge"] = UplinkBridge;
            overrides["uplink:nic"] = "";
        }
        if (LabBridge is not null)
            overrides["uplink:labBridge"] = LabBridge;
        if (AllLayer2)
            overrides["switch:policy"] = SwitchPolicies.AllLayer2;
        if (EndedSessionsPerClient is { } kept)
            overrides["tunnel:endedSessionsPerClient"] = kept.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return overrides;
    }

    private static bool IsInterfaceName(string name) =>
        name.Length is > 0 and < 16 && name.IndexOfAny(['/', ':', ' ', '\t', '\0']) < 0 && name is not "." and not "..";
}

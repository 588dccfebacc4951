using System.Net;

namespace Appliance.Agent;

/// <summary>How the agent was asked to run: where to listen and what the uplink is.</summary>
public sealed record AgentOptions
{
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 7080);

    /// <summary>A NIC to attach to with a raw socket (the PPPoE NIC).</summary>
    public string? UplinkNic { get; init; }

    /// <summary>An existing Linux bridge to join with the agent's uplink TAP.</summary>
    public string? UplinkBridge { get; init; }

    /// <summary>The bridge a lab run creates when neither a NIC nor a bridge is named.</summary>
    public string LabBridge { get; init; } = "appl-lab0";

    public bool AllLayer2 { get; init; }

    /// <summary>The state directory; null means the default (<see cref="State.StateDirectory.ResolveDefaultPath"/>).</summary>
    public string? StatePath { get; init; }

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
            switch (arg)
            {
                case "--listen":
                    if (Value() is { } listen)
                    {
                        if (IPEndPoint.TryParse(listen, out var endpoint) && endpoint.Port != 0)
                            options = options with { Listen = endpoint };
                        else
                            errors.Add($"--listen '{listen}' is not an address:port like 127.0.0.1:7080");
                    }
                    break;
                case "--uplink-nic":
                    options = options with { UplinkNic = Value() };
                    break;
                case "--uplink-bridge":
                    options = options with { UplinkBridge = Value() };
                    break;
                case "--lab-bridge":
                    options = options with { LabBridge = Value() ?? options.LabBridge };
                    break;
                case "--state-dir":
                    if (Value() is { } stateDir)
                    {
                        if (stateDir.Length > 0 && stateDir.IndexOf('\0', StringComparison.Ordinal) < 0)
                            options = options with { StatePath = stateDir };
                        else
                            errors.Add($"--state-dir '{stateDir}' is not a directory path");
                    }
                    break;
                case "--all-layer2":
                    options = options with { AllLayer2 = true };
                    break;
                default:
                    errors.Add($"unknown option '{arg}'; known: --listen, --uplink-nic, --uplink-bridge, --lab-bridge, --all-layer2, --state-dir");
                    break;
            }
        }
        if (options.UplinkNic is not null && options.UplinkBridge is not null)
            errors.Add("--uplink-nic and --uplink-bridge exclude each other: name the PPPoE NIC or a bridge that holds it, not both");
        foreach (var name in new[] { options.UplinkNic, options.UplinkBridge, options.LabBridge })
        {
            if (name is not null && !IsInterfaceName(name))
                errors.Add($"'{name}' is not a Linux interface name (1-15 characters, no '/', ':' or spaces)");
        }
        return errors.Count == 0 ? (options, errors) : (null, errors);
    }

    private static bool IsInterfaceName(string name) =>
        name.Length is > 0 and < 16 && name.IndexOfAny(['/', ':', ' ', '\t', '\0']) < 0 && name is not "." and not "..";
}

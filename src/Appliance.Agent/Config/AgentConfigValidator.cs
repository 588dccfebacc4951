using System.Globalization;
using Appliance.Contracts;

namespace Appliance.Agent.Config;

/// <summary>Checks a whole configuration and collects every problem under its key; used at start and on PUT.</summary>
public static class AgentConfigValidator
{
    /// <summary>The most ended sessions kept per client (<c>tunnel.endedSessionsPerClient</c>).</summary>
    public const int MaxEndedSessionsPerClient = 100;

    public static readonly IReadOnlyList<string> KnownCiphers = ["AES-256-GCM", "CHACHA20-POLY1305", "AES-128-GCM"];

    public static ConfigErrors Validate(AgentConfigDto? config) => Validate(config, new ConfigErrors());

    public static ConfigErrors Validate(AgentConfigDto? config, ConfigErrors errors)
    {
        if (config is null)
        {
            errors.Add("$", "the configuration document is missing");
            return errors;
        }
        if (Require(config.Api, "api", errors) is { } api && !ListenAddress.TryParseEndPoint(api.Listen, out _, out string apiProblem))
            errors.Add("api.listen", $"'{api.Listen}' {apiProblem}");

        if (Require(config.Tunnel, "tunnel", errors) is { } tunnel)
            ValidateTunnel(tunnel, errors);

        if (Require(config.Uplink, "uplink", errors) is { } uplink)
        {
            if (uplink.Nic is not null && uplink.Bridge is not null)
                errors.Add("uplink.bridge", $"'{uplink.Bridge}' and uplink.nic '{uplink.Nic}' exclude each other: name the PPPoE NIC or a bridge that holds it, not both");
            InterfaceName(uplink.Nic, "uplink.nic", errors);
            InterfaceName(uplink.Bridge, "uplink.bridge", errors);
            if (uplink.LabBridge is null)
                errors.Add("uplink.labBridge", "is required (default appl-lab0)");
            InterfaceName(uplink.LabBridge, "uplink.labBridge", errors);
            Range(uplink.Mtu, 576, 9000, "uplink.mtu", errors);
        }

        if (Require(config.Switch, "switch", errors) is { } sw)
        {
            if (sw.Policy is not SwitchPolicies.PppoeOnly and not SwitchPolicies.AllLayer2)
                errors.Add("switch.policy", $"'{sw.Policy}' is neither '{SwitchPolicies.PppoeOnly}' nor '{SwitchPolicies.AllLayer2}'");
            Range(sw.SessionMacLimit, 1, 4096, "switch.sessionMacLimit", errors);
            Range(sw.MacAgingSeconds, 10, 86400, "switch.macAgingSeconds", errors);
        }

        if (Require(config.Profiles, "profiles", errors) is { } profiles)
        {
            if (string.IsNullOrWhiteSpace(profiles.ServerHost) || Uri.CheckHostName(profiles.ServerHost) == UriHostNameType.Unknown)
                errors.Add("profiles.serverHost", $"'{profiles.ServerHost}' is not a host name or IP address clients could dial");
            Range(profiles.UdpPort, 0, 65535, "profiles.udpPort", errors, "0 means the first UDP listener's port");
            Range(profiles.TcpPort, 0, 65535, "profiles.tcpPort", errors, "0 means the first TCP listener's port");
            Range(profiles.ClientValidityDays, 1, 3650, "profiles.clientValidityDays", errors);
        }

        Require(config.Lab, "lab", errors);
        return errors;
    }

    private static void ValidateTunnel(TunnelConfigDto tunnel, ConfigErrors errors)
    {
        if (tunnel.Listen is null || tunnel.Listen.Count == 0)
        {
            errors.Add("tunnel.listen", "needs at least one 'udp ADDRESS:PORT' or 'tcp ADDRESS:PORT'");
        }
        else
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < tunnel.Listen.Count; i++)
            {
                string key = $"tunnel.listen[{i.ToString(CultureInfo.InvariantCulture)}]";
                if (!ListenAddress.TryParseTunnel(tunnel.Listen[i], out var listen, out string problem))
                    errors.Add(key, $"'{tunnel.Listen[i]}' {problem}");
                else if (listen.EndPoint.Port != 0 && !seen.Add(listen.ToString()))
                    errors.Add(key, $"'{tunnel.Listen[i]}' is listed twice");
            }
        }
        if (tunnel.Ciphers is null || tunnel.Ciphers.Count == 0)
        {
            errors.Add("tunnel.ciphers", $"needs at least one of {string.Join(", ", KnownCiphers)}");
        }
        else
        {
            for (int i = 0; i < tunnel.Ciphers.Count; i++)
            {
                if (!KnownCiphers.Contains(tunnel.Ciphers[i], StringComparer.OrdinalIgnoreCase))
                    errors.Add($"tunnel.ciphers[{i.ToString(CultureInfo.InvariantCulture)}]", $"'{tunnel.Ciphers[i]}' is not one of {string.Join(", ", KnownCiphers)}");
            }
        }
        Range(tunnel.MaxSessions, 1, 65535, "tunnel.maxSessions", errors);
        Range(tunnel.PingSeconds, 1, 3600, "tunnel.pingSeconds", errors);
        Range(tunnel.RenegotiateSeconds, 60, 604800, "tunnel.renegotiateSeconds", errors);
        Range(tunnel.EndedSessionsPerClient, 1, MaxEndedSessionsPerClient, "tunnel.endedSessionsPerClient", errors);
        if (tunnel.PingRestartSeconds <= 2 * tunnel.PingSeconds || tunnel.PingRestartSeconds > 86400)
            errors.Add("tunnel.pingRestartSeconds", $"{tunnel.PingRestartSeconds.ToString(CultureInfo.InvariantCulture)} must be more than twice tunnel.pingSeconds ({tunnel.PingSeconds.ToString(CultureInfo.InvariantCulture)}) and at most 86400");
    }

    private static T? Require<T>(T? section, string key, ConfigErrors errors) where T : class
    {
        if (section is null)
            errors.Add(key, "is required");
        return section;
    }

    private static void Range(int value, int min, int max, string key, ConfigErrors errors, string? note = null)
    {
        if (value < min || value > max)
            errors.Add(key, $"{value.ToString(CultureInfo.InvariantCulture)} is outside {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}{(note is null ? "" : "; " + note)}");
    }

    private static void InterfaceName(string? name, string key, ConfigErrors errors)
    {
        if (name is not null && !(name.Length is > 0 and < 16 && name.IndexOfAny(['/', ':', ' ', '\t', '\0']) < 0 && name is not "." and not ".."))
            errors.Add(key, $"'{name}' is not a Linux interface name (1-15 characters, no '/', ':' or spaces)");
    }
}

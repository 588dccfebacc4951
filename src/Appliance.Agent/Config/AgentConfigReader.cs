using System.Globalization;
using Appliance.Contracts;
using Microsoft.Extensions.Configuration;

namespace Appliance.Agent.Config;

/// <summary>Reads an <see cref="AgentConfigDto"/> out of layered configuration (file, environment, flags), key by key.</summary>
/// <remarks>
/// Hand-read rather than bound: every problem is collected under the key's dotted name (<c>tunnel.listen[1]</c>) with
/// the value and the reason, unknown keys are refused (a typo must not be silently ignored), and a list given by a
/// later layer is not merged element-wise with the defaults. Keys absent everywhere take <see cref="AgentConfigDefaults"/>.
/// </remarks>
public static class AgentConfigReader
{
    private static readonly Dictionary<string, string[]> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        ["api"] = ["listen"],
        ["tunnel"] = ["listen", "ciphers", "maxSessions", "pingSeconds", "pingRestartSeconds", "renegotiateSeconds", "endedSessionsPerClient"],
        ["uplink"] = ["nic", "bridge", "labBridge", "mtu"],
        ["switch"] = ["policy", "sessionMacLimit", "isolation", "macAgingSeconds"],
        ["profiles"] = ["serverHost", "udpPort", "tcpPort", "clientValidityDays"],
        ["lab"] = ["pppoeServer"],
    };

    private static readonly HashSet<string> Lists = new(StringComparer.OrdinalIgnoreCase) { "tunnel:listen", "tunnel:ciphers" };

    public static (AgentConfigDto? Config, ConfigErrors Errors) Read(IConfiguration configuration, string hostName)
    {
        var errors = new ConfigErrors();
        CheckKeys(configuration, errors);
        var d = AgentConfigDefaults.Create(hostName);
        var r = new Reader(configuration, errors);
        var config = new AgentConfigDto(
            new ApiConfigDto(r.String("api", "listen", d.Api.Listen)),
            new TunnelConfigDto(
                r.List("tunnel", "listen", d.Tunnel.Listen),
                r.List("tunnel", "ciphers", d.Tunnel.Ciphers),
                r.Int("tunnel", "maxSessions", d.Tunnel.MaxSessions),
                r.Int("tunnel", "pingSeconds", d.Tunnel.PingSeconds),
                r.Int("tunnel", "pingRestartSeconds", d.Tunnel.PingRestartSeconds),
                r.Int("tunnel", "renegotiateSeconds", d.Tunnel.RenegotiateSeconds),
                r.Int("tunnel", "endedSessionsPerClient", d.Tunnel.EndedSessionsPerClient)),
            new UplinkConfigDto(
                r.NullableString("uplink", "nic", d.Uplink.Nic),
                r.NullableString("uplink", "bridge", d.Uplink.Bridge),
                r.String("uplink", "labBridge", d.Uplink.LabBridge),
                r.Int("uplink", "mtu", d.Uplink.Mtu)),
            new SwitchConfigDto(
                r.String("switch", "policy", d.Switch.Policy),
                r.Int("switch", "sessionMacLimit", d.Switch.SessionMacLimit),
                r.Bool("switch", "isolation", d.Switch.Isolation),
                r.Int("switch", "macAgingSeconds", d.Switch.MacAgingSeconds)),
            new ProfileConfigDto(
                r.String("profiles", "serverHost", d.Profiles.ServerHost),
                r.Int("profiles", "udpPort", d.Profiles.UdpPort),
                r.Int("profiles", "tcpPort", d.Profiles.TcpPort),
                r.Int("profiles", "clientValidityDays", d.Profiles.ClientValidityDays)),
            new LabConfigDto(r.Bool("lab", "pppoeServer", d.Lab.PppoeServer)));
        // A value that did not parse was replaced by its default above, so the checks below still see a whole document.
        AgentConfigValidator.Validate(config, errors);
        return errors.Count > 0 ? (null, errors) : (config, errors);
    }

    private static void CheckKeys(IConfiguration configuration, ConfigErrors errors)
    {
        foreach (var section in configuration.GetChildren())
        {
            if (!Known.TryGetValue(section.Key, out var keys))
            {
                errors.Add(section.Key, $"unknown section; known: {string.Join(", ", Known.Keys)}");
                continue;
            }
            foreach (var key in section.GetChildren())
            {
                if (!keys.Contains(key.Key, StringComparer.OrdinalIgnoreCase))
                    errors.Add($"{Dotted(section.Key)}.{key.Key}", $"unknown key; known in '{Dotted(section.Key)}': {string.Join(", ", keys)}");
                else if (!Lists.Contains(section.Key + ":" + key.Key) && key.GetChildren().Any())
                    errors.Add($"{Dotted(section.Key)}.{key.Key}", "must be a single value, not an object or a list");
            }
        }
    }

    private static string Dotted(string key) => Known.Keys.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase)) ?? key;

    private sealed class Reader(IConfiguration configuration, ConfigErrors errors)
    {
        public string String(string section, string key, string fallback) => configuration[$"{section}:{key}"] is { Length: > 0 } value ? value : fallback;

        public string? NullableString(string section, string key, string? fallback)
        {
            var child = configuration.GetSection($"{section}:{key}");
            if (!child.Exists())
                return fallback;
            return string.IsNullOrWhiteSpace(child.Value) ? null : child.Value;
        }

        public int Int(string section, string key, int fallback)
        {
            string? text = configuration[$"{section}:{key}"];
            if (string.IsNullOrEmpty(text))
                return fallback;
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
                return value;
            errors.Add($"{section}.{key}", $"'{text}' is not a whole number");
            return fallback;
        }

        public bool Bool(string section, string key, bool fallback)
        {
            string? text = configuration[$"{section}:{key}"];
            if (string.IsNullOrEmpty(text))
                return fallback;
            if (bool.TryParse(text, out bool value))
                return value;
            errors.Add($"{section}.{key}", $"'{text}' is not true or false");
            return fallback;
        }

        public IReadOnlyList<string> List(string section, string key, IReadOnlyList<string> fallback)
        {
            var child = configuration.GetSection($"{section}:{key}");
            if (!child.Exists())
                return fallback;
            if (child.Value is { Length: > 0 } single)
                return single.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var items = new SortedDictionary<int, string>();
            foreach (var element in child.GetChildren())
            {
                if (!int.TryParse(element.Key, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                    errors.Add($"{section}.{key}.{element.Key}", "must be a list of strings");
                else
                    items[index] = element.Value ?? "";
            }
            return [.. items.Values];
        }
    }
}

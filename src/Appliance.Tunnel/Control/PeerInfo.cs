using System.Globalization;
using Appliance.Tunnel.DataChannel;

namespace Appliance.Tunnel.Control;

/// <summary>
/// The client's peer-info (<c>KEY=value</c> lines from key method 2): version, platform, protocol bits,
/// data ciphers, MTU, GUI version; every variable is also kept in <see cref="Variables"/>.
/// </summary>
public sealed record PeerInfo
{
    public static readonly PeerInfo Empty = new();

    /// <summary><c>IV_VER</c>, e.g. "2.6.14".</summary>
    public string? Version { get; init; }
    /// <summary><c>IV_PLAT</c>: linux, win, mac, android, freebsd, openbsd, netbsd, solaris.</summary>
    public string? Platform { get; init; }
    /// <summary><c>IV_PLAT_VER</c> (only with push-peer-info).</summary>
    public string? PlatformVersion { get; init; }
    /// <summary><c>IV_GUI_VER</c>, set by OpenVPN GUI and others.</summary>
    public string? GuiVersion { get; init; }
    /// <summary><c>IV_PROTO</c>; <see cref="IvProtoFlags.None"/> when absent or not a positive number.</summary>
    public IvProtoFlags Protocol { get; init; }
    /// <summary><c>IV_CIPHERS</c> split on ':' (the client's data-ciphers); empty when absent.</summary>
    public IReadOnlyList<string> Ciphers { get; init; } = [];
    /// <summary><c>IV_NCP</c> (2 = AES-128/256-GCM usable).</summary>
    public int? Ncp { get; init; }
    /// <summary><c>IV_MTU</c>: the largest tun-mtu the client accepts in a push.</summary>
    public int? Mtu { get; init; }
    /// <summary><c>IV_TCPNL=1</c>.</summary>
    public bool TcpNonLinear { get; init; }
    /// <summary>Every <c>KEY=value</c> line, first occurrence wins (as 2.6's lookups do).</summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();

    /// <summary>Parses peer-info text; never throws. Lines without '=' are ignored.</summary>
    public static PeerInfo Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Empty;
        }
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n'))
        {
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }
            variables.TryAdd(line[..equals], line[(equals + 1)..].TrimEnd('\r'));
        }
        return new PeerInfo
        {
            Version = variables.GetValueOrDefault("IV_VER"),
            Platform = variables.GetValueOrDefault("IV_PLAT"),
            PlatformVersion = variables.GetValueOrDefault("IV_PLAT_VER"),
            GuiVersion = variables.GetValueOrDefault("IV_GUI_VER"),
            Protocol = Number(variables, "IV_PROTO") is int proto and > 0 ? (IvProtoFlags)proto : IvProtoFlags.None,
            Ciphers = variables.TryGetValue("IV_CIPHERS", out string? ciphers)
                ? ciphers.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [],
            Ncp = Number(variables, "IV_NCP"),
            Mtu = Number(variables, "IV_MTU"),
            TcpNonLinear = variables.GetValueOrDefault("IV_TCPNL") == "1",
            Variables = variables,
        };
    }

    /// <summary>
    /// True if the client can use <paramref name="cipher"/>: listed in <c>IV_CIPHERS</c>, or, for an old client
    /// without it, AES-128/256-GCM with <c>IV_NCP</c> ≥ 2.
    /// </summary>
    public bool Supports(DataCipher cipher)
    {
        if (Ciphers.Count > 0)
        {
            string name = DataCiphers.Name(cipher);
            foreach (string offered in Ciphers)
            {
                if (string.Equals(offered, name, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
            return false;
        }
        return Ncp >= 2 && cipher is DataCipher.Aes256Gcm or DataCipher.Aes128Gcm;
    }

    private static int? Number(Dictionary<string, string> variables, string key) =>
        variables.TryGetValue(key, out string? value)
        && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int number) ? number : null;
}

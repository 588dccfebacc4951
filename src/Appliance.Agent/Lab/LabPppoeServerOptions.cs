using System.Net;

namespace Appliance.Agent.Lab;

/// <summary>Where the lab's ISP runs and what it offers; the defaults are the documented lab (README "The one-machine lab").</summary>
/// <remarks>
/// The subscriber's password is a lab secret: fixed, published in the README and shown in the health document, so the
/// one-machine lab can be dialled without setup. It never protects anything but a bridge on the same machine.
/// </remarks>
public sealed record LabPppoeServerOptions
{
    /// <summary>The bridge the guest's TAP joins (the agent's lab bridge).</summary>
    public required string Bridge { get; init; }

    /// <summary>Where the guest's init script, its PPP files, UML's scratch and the console log live (the state directory's <c>lab/</c>).</summary>
    public required string Directory { get; init; }

    /// <summary>A named network namespace (ip netns) the TAP and the guest live in; null for the agent's own.</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>The host-side TAP of the guest's eth0 (at most 15 characters).</summary>
    public string TapName { get; init; } = "appl-isp0";

    /// <summary>UML's instance id (its pid file lives under <see cref="Directory"/>/uml/UMID).</summary>
    public string Umid { get; init; } = "appl-lab-isp";

    public string GuestMac { get; init; } = "02:00:5e:4c:41:42";

    public string ServiceName { get; init; } = "appliance-lab";

    public string AccessConcentrator { get; init; } = "appliance-lab-isp";

    public string User { get; init; } = "lab";

    /// <summary>The lab subscriber's password: a lab secret, see the remarks.</summary>
    public string Password { get; init; } = "lab-only-secret";

    /// <summary>The server's end of every session.</summary>
    public IPAddress LocalAddress { get; init; } = IPAddress.Parse("10.77.0.1");

    /// <summary>The first address handed to a subscriber; the pool is <see cref="MaxSessions"/> addresses from here.</summary>
    public IPAddress FirstRemoteAddress { get; init; } = IPAddress.Parse("10.77.0.10");

    public int MaxSessions { get; init; } = 32;

    /// <summary>How many times a guest that died is booted again before the lab is reported failed.</summary>
    public int MaxRestarts { get; init; } = 3;

    /// <summary>How long to wait for the lab bridge to appear (the uplink creates it) before giving up.</summary>
    public TimeSpan BridgeWait { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a booted guest may take to report pppoe-server running before it counts as a failed start.</summary>
    public TimeSpan BootTimeout { get; init; } = TimeSpan.FromSeconds(90);

    public string UmlPath { get; init; } = "/usr/bin/linux.uml";

    /// <summary>UML's own kernel modules (Debian's user-mode-linux package), one folder per kernel version.</summary>
    public string UmlModulesPath { get; init; } = "/usr/lib/uml/modules";

    public string PppoeServerPath { get; init; } = "/usr/sbin/pppoe-server";

    public string PppdPath { get; init; } = "/usr/sbin/pppd";

    /// <summary>Null when every value can go into the guest's files and command line as it is; else what is wrong.</summary>
    internal string? Invalid()
    {
        foreach (var (name, value) in new[] { ("service name", ServiceName), ("access concentrator", AccessConcentrator), ("user", User), ("password", Password), ("umid", Umid) })
        {
            if (value.Length == 0 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                return $"lab {name} '{(name == "password" ? "…" : value)}' must be non-empty letters, digits, '-', '_' or '.'";
        }
        if (TapName.Length is 0 or > 15)
            return $"lab TAP name '{TapName}' must be 1 to 15 characters";
        if (MaxSessions is < 1 or > 1000)
            return $"lab MaxSessions {MaxSessions} must be 1..1000";
        if (LocalAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || FirstRemoteAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            return "lab addresses must be IPv4";
        return null;
    }

    /// <summary>Shown in the status while running; carries the lab password on purpose (a lab secret, see the remarks).</summary>
    internal string Offer() =>
        $"pppoe-server (service '{ServiceName}', AC '{AccessConcentrator}') on bridge '{Bridge}'; PAP/CHAP user '{User}' " +
        $"password '{Password}' (a lab secret, published in the README); IPv4 {LocalAddress} ↔ {MaxSessions} addresses from " +
        $"{FirstRemoteAddress}; IPv6CP fe80::1 ↔ fe80::2";
}

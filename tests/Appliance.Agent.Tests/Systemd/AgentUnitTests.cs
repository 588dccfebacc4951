using System.Diagnostics;
using System.Runtime.Versioning;

namespace Appliance.Agent.Tests.Systemd;

/// <summary>deploy/proxmox/appliance-agent.service: what systemd itself says of it, and that it waits for the agent's READY=1.</summary>
[SupportedOSPlatform("linux")]
public sealed class AgentUnitTests
{
    private static readonly string UnitPath = RepositoryFile("deploy", "proxmox", "appliance-agent.service");

    [Fact]
    public void The_unit_waits_for_the_agents_own_readiness_notification()
    {
        var settings = ServiceSettings(File.ReadAllLines(UnitPath));

        Assert.Equal(["notify"], settings["Type"]);
        // Only the agent's main process may report readiness (not a child such as ip or a lab guest).
        Assert.Equal(["main"], settings["NotifyAccess"]);
        Assert.Equal(["appliance"], settings["StateDirectory"]);
        Assert.Equal(["appliance"], settings["ConfigurationDirectory"]);
        Assert.Equal(["/dev/net/tun rw"], settings["DeviceAllow"]);
        Assert.Equal(["CAP_NET_ADMIN CAP_NET_RAW"], settings["CapabilityBoundingSet"]);
    }

    [Fact]
    public void The_unit_keeps_the_agents_handed_over_fds_across_a_restart()
    {
        var settings = ServiceSettings(File.ReadAllLines(UnitPath));

        // The hand-over stores 4 fds (state, UDP and TCP listener, uplink); systemd refuses FDSTORE=1 beyond the maximum.
        Assert.True(int.Parse(Assert.Single(settings["FileDescriptorStoreMax"]), System.Globalization.CultureInfo.InvariantCulture) >= 4);
        // The stop must leave time for the hand-over (storing is immediate; the wait applies only without systemd).
        Assert.Equal(["20s"], settings["TimeoutStopSec"]);
    }

    /// <summary>The [Service] section's settings; a key set more than once keeps every value in order.</summary>
    private static Dictionary<string, List<string>> ServiceSettings(string[] lines)
    {
        var settings = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        bool inService = false;
        foreach (string raw in lines)
        {
            string line = raw.Trim();
            if (line.StartsWith('['))
                inService = line == "[Service]";
            else if (inService && line.Length > 0 && !line.StartsWith('#') && line.IndexOf('=', StringComparison.Ordinal) is int eq and > 0)
            {
                string key = line[..eq];
                if (!settings.TryGetValue(key, out var values))
                    settings[key] = values = [];
                values.Add(line[(eq + 1)..]);
            }
        }
        return settings;
    }

    internal static string RepositoryFile(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Appliance.sln")))
                return Path.Combine([dir.FullName, .. parts]);
        }
        throw new InvalidOperationException($"no Appliance.sln above {AppContext.BaseDirectory}");
    }

    internal static int Run(string program, string[] args, IReadOnlyDictionary<string, string>? environment, out string output)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        output += stderr.Result;
        return process.ExitCode;
    }
}

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
    [Trait("Category", "EndToEnd")] // runs systemd-analyze
    public void Systemd_analyze_verify_accepts_the_unit_without_a_single_message()
    {
        // verify needs the ExecStart binary and systemd's own units under one root: a small stand-in of the image.
        var root = Directory.CreateTempSubdirectory("appliance-unit-verify-");
        try
        {
            string units = Path.Combine(root.FullName, "etc", "systemd", "system");
            Directory.CreateDirectory(units);
            File.Copy(UnitPath, Path.Combine(units, "appliance-agent.service"));
            string agent = Path.Combine(root.FullName, "opt", "appliance-agent", "appliance-agent");
            Directory.CreateDirectory(Path.GetDirectoryName(agent)!);
            File.WriteAllText(agent, "#!/bin/sh\n");
            File.SetUnixFileMode(agent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
                | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            string systemdUnits = Path.Combine(root.FullName, "usr", "lib", "systemd");
            Directory.CreateDirectory(systemdUnits);
            int copied = Run("cp", ["-a", "/usr/lib/systemd/system", systemdUnits], null, out string copyOutput);
            Assert.True(copied == 0, $"cp of systemd's units exited {copied}: {copyOutput}");

            int code = Run("systemd-analyze", ["verify", $"--root={root.FullName}", "--man=no", "/etc/systemd/system/appliance-agent.service"],
                new Dictionary<string, string> { ["SYSTEMD_LOG_LEVEL"] = "notice" }, out string output);

            // verify exits 0 on an unknown key or a bad value ("…, ignoring"): any message at all is a finding.
            Assert.True(code == 0 && output.Length == 0, $"systemd-analyze verify exited {code}:\n{output}");
        }
        finally
        {
            root.Delete(recursive: true);
        }
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

using System.Runtime.Versioning;
using Appliance.EndToEnd.Tests.Support;

namespace Appliance.EndToEnd.Tests;

/// <summary>
/// The deployment files that cannot run here (no Proxmox host, no Docker engine) are at least checked
/// statically: every script under deploy/ parses and passes shellcheck, the agent's systemd unit passes
/// systemd-analyze verify and security, and docker-compose.yml is a valid Compose file with and without
/// the lab profile.
/// </summary>
[Trait("Category", "Deploy")]
[SupportedOSPlatform("linux")]
public sealed class DeploymentFilesTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    public static TheoryData<string> Scripts() => new(ScriptPaths());

    private static List<string> ScriptPaths() =>
        Directory.EnumerateFiles(RepositoryRoot.Combine("deploy"), "*.sh", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(RepositoryRoot.Path, path))
            .Order(StringComparer.Ordinal)
            .ToList();

    [Fact]
    public void The_proxmox_scripts_are_all_there()
    {
        var scripts = ScriptPaths();
        Assert.Contains("deploy/proxmox/build-image.sh", scripts);
        Assert.Contains("deploy/proxmox/boot-test.sh", scripts);
        Assert.Contains("deploy/proxmox/install-on-pve.sh", scripts);
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Script_parses_and_passes_shellcheck(string script)
    {
        var parse = await ScriptRun.RunAsync("bash", ["-n", script], Patience);
        Assert.True(parse.Succeeded, parse.Describe($"bash -n {script}"));

        string? missing = await DebianTools.EnsureAsync("shellcheck", "shellcheck");
        Assert.True(missing is null, missing);
        var check = await ScriptRun.RunAsync("shellcheck", ["--shell=bash", "--severity=style", "--external-sources", script], Patience);
        Assert.True(check.Succeeded, check.Describe($"shellcheck {script}"));
    }

    [Fact]
    public async Task Agent_unit_passes_systemd_analyze_verify_without_a_warning()
    {
        // verify needs the unit's ExecStart and systemd's own units under one root: a small fake of the image.
        var root = Directory.CreateTempSubdirectory("appliance-unit-");
        try
        {
            string units = Path.Combine(root.FullName, "etc", "systemd", "system");
            Directory.CreateDirectory(units);
            File.Copy(RepositoryRoot.Combine("deploy", "proxmox", "appliance-agent.service"), Path.Combine(units, "appliance-agent.service"));
            string agent = Path.Combine(root.FullName, "opt", "appliance-agent", "appliance-agent");
            Directory.CreateDirectory(Path.GetDirectoryName(agent)!);
            File.WriteAllText(agent, "#!/bin/sh\n");
            File.SetUnixFileMode(agent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            Directory.CreateDirectory(Path.Combine(root.FullName, "usr", "lib", "systemd"));
            var copy = await ScriptRun.RunAsync("cp", ["-a", "/usr/lib/systemd/system", Path.Combine(root.FullName, "usr", "lib", "systemd")], Patience);
            Assert.True(copy.Succeeded, copy.Describe("cp of systemd's units"));

            var verify = await ScriptRun.RunAsync("systemd-analyze",
                ["verify", $"--root={root.FullName}", "--man=no", "/etc/systemd/system/appliance-agent.service"],
                Patience, new Dictionary<string, string> { ["SYSTEMD_LOG_LEVEL"] = "notice" });
            // verify exits 0 on unknown keys and bad values ("..., ignoring"): any message is a finding.
            Assert.True(verify.Succeeded && verify.Output.Length == 0, verify.Describe("systemd-analyze verify"));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Agent_unit_exposure_stays_at_or_below_3_0()
    {
        // systemd-analyze's exposure scale is 0 (locked down) to 10 (unprotected); the threshold is in tenths.
        var security = await ScriptRun.RunAsync("systemd-analyze",
            ["security", "--offline=true", "--threshold=30", "--no-pager", "deploy/proxmox/appliance-agent.service"], Patience);
        Assert.True(security.Succeeded, security.Describe("systemd-analyze security --threshold=30"));
        Assert.Contains("Overall exposure level for appliance-agent.service", security.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("default", "panel")]
    [InlineData("lab", "panel,lab-agent")]
    public async Task Compose_file_is_valid(string profile, string expectedServices)
    {
        var (tool, prefix) = await ComposeClientAsync();
        string[] profileArguments = profile == "default" ? [] : ["--profile", profile];
        var check = await ScriptRun.RunAsync(tool, [.. prefix, "--file", "docker-compose.yml", .. profileArguments, "config", "--quiet"], Patience);
        Assert.True(check.Succeeded, check.Describe($"compose config ({profile} profile)"));

        var listed = await ScriptRun.RunAsync(tool, [.. prefix, "--file", "docker-compose.yml", .. profileArguments, "config", "--services"], Patience);
        Assert.True(listed.Succeeded, listed.Describe($"compose config --services ({profile} profile)"));
        var names = listed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var service in expectedServices.Split(','))
            Assert.Contains(service, names);
    }

    [Fact]
    public async Task Compose_file_runs_the_lab_agent_with_host_networking_and_only_network_capabilities()
    {
        var (tool, prefix) = await ComposeClientAsync();
        var config = await ScriptRun.RunAsync(tool, [.. prefix, "--file", "docker-compose.yml", "--profile", "lab", "config"], Patience);
        Assert.True(config.Succeeded, config.Describe("compose config (lab profile)"));
        string lab = config.Output[config.Output.IndexOf("lab-agent:", StringComparison.Ordinal)..];
        Assert.Contains("network_mode: host", lab, StringComparison.Ordinal);
        Assert.Contains("NET_ADMIN", lab, StringComparison.Ordinal);
        Assert.Contains("NET_RAW", lab, StringComparison.Ordinal);
        Assert.Contains("/dev/net/tun", lab, StringComparison.Ordinal);
    }

    /// <summary>The Compose v2 plugin when the docker client has it, else docker-compose (Debian package); neither needs an engine for `config`.</summary>
    private static async Task<(string Tool, string[] Prefix)> ComposeClientAsync()
    {
        if (DebianTools.IsOnPath("docker"))
        {
            var plugin = await ScriptRun.RunAsync("docker", ["compose", "version"], Patience);
            if (plugin.Succeeded)
                return ("docker", ["compose"]);
        }
        string? missing = await DebianTools.EnsureAsync("docker-compose", "docker-compose");
        Assert.True(missing is null, missing);
        return ("docker-compose", []);
    }
}

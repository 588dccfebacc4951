using Appliance.EndToEnd.Tests.Support;

namespace Appliance.EndToEnd.Tests;

/// <summary>
/// The deployment files that cannot run here (no Proxmox host, no Docker engine) are at least checked
/// statically: every script under deploy/ parses and passes shellcheck, and docker-compose.yml is a
/// valid Compose file with and without the lab profile.
/// </summary>
[Trait("Category", "Deploy")]
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

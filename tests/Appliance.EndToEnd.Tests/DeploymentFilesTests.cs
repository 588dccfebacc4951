using System.Runtime.Versioning;
using Appliance.Agent.Config;
using Appliance.EndToEnd.Tests.Support;

namespace Appliance.EndToEnd.Tests;

/// <summary>
/// The deployment files that cannot run here (no Proxmox host, no Docker engine) are at least checked
/// statically: every script under deploy/ parses and passes shellcheck, the agent's systemd units pass
/// systemd-analyze verify and security, the image's agent.json passes the agent's own config reader, and
/// docker-compose.yml is a valid Compose file with and without the lab profile.
/// </summary>
[Trait("Category", "Deploy")]
[SupportedOSPlatform("linux")]
public sealed class DeploymentFilesTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    public static TheoryData<string> Scripts() => new(ScriptPaths());

    private const string Prestart = "deploy/proxmox/rootfs/usr/libexec/appliance/agent-prestart";

    private static readonly string[] Units = ["appliance-agent.service", "appliance-agent-pairing.path", "appliance-agent-pairing.service"];

    private static List<string> ScriptPaths() =>
        Directory.EnumerateFiles(RepositoryRoot.Combine("deploy"), "*.sh", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(RepositoryRoot.Path, path))
            .Append(Prestart)
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
        // The shell comes from each script's #! line (the image's agent-prestart is POSIX sh).
        var check = await ScriptRun.RunAsync("shellcheck", ["--severity=style", "--external-sources", script], Patience);
        Assert.True(check.Succeeded, check.Describe($"shellcheck {script}"));
    }

    [Fact]
    public async Task Agent_units_pass_systemd_analyze_verify_without_a_warning()
    {
        // verify needs the units' executables and systemd's own units under one root: a small fake of the image.
        var root = Directory.CreateTempSubdirectory("appliance-unit-");
        try
        {
            string units = Path.Combine(root.FullName, "etc", "systemd", "system");
            Directory.CreateDirectory(units);
            foreach (string unit in Units)
                File.Copy(RepositoryRoot.Combine("deploy", "proxmox", unit), Path.Combine(units, unit));
            string agent = Path.Combine(root.FullName, "opt", "appliance-agent", "appliance-agent");
            Directory.CreateDirectory(Path.GetDirectoryName(agent)!);
            File.WriteAllText(agent, "#!/bin/sh\n");
            File.SetUnixFileMode(agent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            string prestart = Path.Combine(root.FullName, "usr", "libexec", "appliance", "agent-prestart");
            Directory.CreateDirectory(Path.GetDirectoryName(prestart)!);
            File.Copy(RepositoryRoot.Combine(Prestart.Split('/')), prestart);
            Directory.CreateDirectory(Path.Combine(root.FullName, "usr", "lib", "systemd"));
            var copy = await ScriptRun.RunAsync("cp", ["-a", "/usr/lib/systemd/system", Path.Combine(root.FullName, "usr", "lib", "systemd")], Patience);
            Assert.True(copy.Succeeded, copy.Describe("cp of systemd's units"));
            Directory.CreateDirectory(Path.Combine(root.FullName, "usr", "bin"));
            File.Copy("/usr/bin/systemctl", Path.Combine(root.FullName, "usr", "bin", "systemctl"));
            File.CreateSymbolicLink(Path.Combine(root.FullName, "bin"), "usr/bin");

            var verify = await ScriptRun.RunAsync("systemd-analyze",
                ["verify", $"--root={root.FullName}", "--man=no", .. Units.Select(unit => "/etc/systemd/system/" + unit)],
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

    [Fact]
    public void The_images_agent_json_passes_the_agents_config_reader_and_opens_the_tunnel_to_the_network_and_the_API_only_to_loopback()
    {
        string path = RepositoryRoot.Combine("deploy", "proxmox", "rootfs", "etc", "appliance", "agent.json");
        var file = AgentConfigFile.Locate(path, Path.GetTempPath());
        Assert.True(file.Exists, $"{path} is missing: the guest agent's file-write of the pairing token needs /etc/appliance");

        var (config, errors) = file.Load(new Dictionary<string, string?>(), environment: null, hostName: "appliance");

        Assert.True(config is not null, string.Join("\n", errors.Lines()));
        // Never every address: agent-prestart puts the API on net0's address (APPLIANCE_API__LISTEN); without it, loopback.
        Assert.Equal("127.0.0.1:7443", config.Api.Listen);
        Assert.Equal(["udp 0.0.0.0:1194", "tcp 0.0.0.0:1194"], config.Tunnel.Listen);
        // The uplink is left to agent-prestart (the second NIC in PCI order); naming one here would turn that off.
        Assert.Null(config.Uplink.Nic);
        Assert.Null(config.Uplink.Bridge);
        Assert.False(config.Lab.PppoeServer);
    }

    [Theory]
    [InlineData(null, "192.0.2.10:7443")]
    [InlineData("{ \"api\": { \"listen\": \"0.0.0.0:8443\" }, \"tunnel\": { \"listen\": [ \"udp 0.0.0.0:1194\" ] } }", "192.0.2.10:8443")]
    public async Task Prestart_puts_the_API_on_net0s_address_and_the_uplink_on_the_second_NIC(string? stateConfig, string listen)
    {
        var (run, output) = await RunPrestartAsync(net0Address: "192.0.2.10/24", stateConfig);

        Assert.True(run.Succeeded, run.Describe("agent-prestart"));
        Assert.Equal($"APPLIANCE_API__LISTEN={listen}\nAPPLIANCE_UPLINK__NIC=ens19\n", output);
    }

    [Fact]
    public async Task Prestart_fails_rather_than_open_the_API_on_every_address_when_net0_has_no_address()
    {
        var (run, output) = await RunPrestartAsync(net0Address: null, stateConfig: null);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("ens18 (net0) has no address", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("APPLIANCE_API__LISTEN", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Runs the image's agent-prestart in a network and mount namespace of its own: two veth NICs named like the
    /// image's (ens18 = net0, ens19 = net1), shown to the script as PCI devices by a stand-in /sys/class/net.
    /// </summary>
    private static async Task<(ScriptResult Run, string UplinkEnv)> RunPrestartAsync(string? net0Address, string? stateConfig)
    {
        var work = Directory.CreateTempSubdirectory("appliance-prestart-");
        try
        {
            string W(params string[] parts) => Path.Combine([work.FullName, .. parts]);
            foreach (string dir in new[] { W("run"), W("etc"), W("state"), W("pci", "0000:00:12.0"), W("pci", "0000:00:13.0") })
                Directory.CreateDirectory(dir);
            foreach (var (nic, slot) in new[] { ("ens18", "0000:00:12.0"), ("ens19", "0000:00:13.0") })
            {
                Directory.CreateDirectory(W("sys", nic));
                File.WriteAllText(W("sys", nic, "type"), "1\n");
                File.CreateSymbolicLink(W("sys", nic, "device"), W("pci", slot));
            }
            File.Copy(RepositoryRoot.Combine("deploy", "proxmox", "rootfs", "etc", "appliance", "agent.json"), W("etc", "agent.json"));
            if (stateConfig is not null)
                File.WriteAllText(W("state", "agent.json"), stateConfig);
            string address = net0Address is null ? "true" : $"ip link set ens18 up && ip addr add {net0Address} dev ens18";
            string inside = "ip link add ens18 type veth peer name peer18 && ip link add ens19 type veth peer name peer19 && " +
                $"{address} && mount --bind \"$1\" /sys/class/net && exec sh \"$2\"";
            var run = await ScriptRun.RunAsync("unshare", ["--net", "--mount", "--propagation", "private", "sh", "-c", inside, "prestart",
                W("sys"), RepositoryRoot.Combine(Prestart.Split('/'))], Patience, new Dictionary<string, string>
            {
                ["RUNTIME_DIRECTORY"] = W("run"),
                ["CONFIGURATION_DIRECTORY"] = W("etc"),
                ["STATE_DIRECTORY"] = W("state"),
                ["APPLIANCE_API_ADDRESS_WAIT"] = "1",
            });
            string env = File.Exists(W("run", "uplink.env")) ? await File.ReadAllTextAsync(W("run", "uplink.env")) : "";
            return (run, env);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_image_unit_hands_over_the_preset_token_and_the_uplink_choice_to_the_agent()
    {
        string unit = await File.ReadAllTextAsync(RepositoryRoot.Combine("deploy", "proxmox", "appliance-agent.service"));
        Assert.Contains("ExecStartPre=+/usr/libexec/appliance/agent-prestart", unit, StringComparison.Ordinal);
        Assert.Contains("--pairing-token-file /run/appliance/pairing.token", unit, StringComparison.Ordinal);
        Assert.Contains("EnvironmentFile=-/run/appliance/uplink.env", unit, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^After=.*\bcloud-init\.service\b", unit);
        string path = await File.ReadAllTextAsync(RepositoryRoot.Combine("deploy", "proxmox", "appliance-agent-pairing.path"));
        Assert.Contains("PathExists=/etc/appliance/pairing.token", path, StringComparison.Ordinal);
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

    [Fact]
    public async Task Compose_file_runs_the_lab_agent_on_HTTPS_7443_and_keeps_the_panels_keys_in_its_data_directory()
    {
        var (tool, prefix) = await ComposeClientAsync();
        var config = await ScriptRun.RunAsync(tool, [.. prefix, "--file", "docker-compose.yml", "--profile", "lab", "config"], Patience);
        Assert.True(config.Succeeded, config.Describe("compose config (lab profile)"));
        int labAt = config.Output.IndexOf("lab-agent:", StringComparison.Ordinal);
        int panelAt = config.Output.IndexOf("  panel:", StringComparison.Ordinal);
        string lab = labAt < panelAt ? config.Output[labAt..panelAt] : config.Output[labAt..];
        string panel = labAt < panelAt ? config.Output[panelAt..] : config.Output[panelAt..labAt];

        // The panel pairs agents on its Agents page (main dropped Agent:Url); the lab agent is reached through host-gateway.
        Assert.Contains("host.docker.internal:host-gateway", panel, StringComparison.Ordinal);
        Assert.DoesNotContain("Agent__Url", config.Output, StringComparison.Ordinal);
        Assert.Contains("PANEL_DATA: /var/lib/appliance-panel", panel, StringComparison.Ordinal);
        Assert.Contains("panel-data:/var/lib/appliance-panel", panel, StringComparison.Ordinal);
        Assert.DoesNotContain("DataProtection-Keys", config.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("7080", config.Output, StringComparison.Ordinal);
        Assert.Matches(@"- --listen\s+- 0\.0\.0\.0:7443", lab);
        // bash's /dev/tcp cannot speak TLS: the agent's own CLI checks the authenticated health over HTTPS.
        Assert.Matches(@"- dotnet\s+- appliance-agent\.dll\s+- status", lab);
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

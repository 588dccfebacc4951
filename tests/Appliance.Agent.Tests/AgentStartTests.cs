using System.Runtime.Versioning;
using Appliance.Agent.Tests.Support;

namespace Appliance.Agent.Tests;

/// <summary>The real daemon refuses to start on a bad configuration, naming the key.</summary>
[Trait("Category", "EndToEnd")]
[SupportedOSPlatform("linux")]
public sealed class AgentStartTests : IDisposable
{
    private readonly TemporaryStateDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_bad_listener_in_the_config_file_stops_the_start_with_exit_2_naming_the_key()
    {
        string config = Path.Combine(_temp.Parent, "agent.json");
        await File.WriteAllTextAsync(config, """{ "tunnel": { "listen": ["udp 0.0.0.0:1194", "udp 0.0.0.0:99999"] } }""");

        var (exit, _, error) = await AgentDaemon.RunAsync(["serve", "--config", config, "--state-dir", _temp.StatePath]);

        Assert.Equal(2, exit);
        Assert.Contains("tunnel.listen[1]: 'udp 0.0.0.0:99999'", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.StatePath), "nothing should be created on a refused start");
    }

    [Fact]
    public async Task A_bad_environment_override_is_named_too()
    {
        var (exit, _, error) = await AgentDaemon.RunAsync(["serve", "--config", WriteEmptyConfig(), "--state-dir", _temp.StatePath],
            new Dictionary<string, string> { ["APPLIANCE_TUNNEL__MAXSESSIONS"] = "0", ["APPLIANCE_SWITCH__POLICI"] = "x" });

        Assert.Equal(2, exit);
        Assert.Contains("tunnel.maxSessions: 0 is outside 1..65535", error, StringComparison.Ordinal);
        Assert.Contains("switch.POLICI: unknown key", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_named_config_file_that_does_not_exist_is_an_error()
    {
        var (exit, _, error) = await AgentDaemon.RunAsync(["serve", "--config", Path.Combine(_temp.Parent, "missing.json"), "--state-dir", _temp.StatePath]);

        Assert.Equal(2, exit);
        Assert.Contains("missing.json' (--config) does not exist", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_cli_says_the_agent_is_not_running_when_it_is_not()
    {
        var (exit, _, error) = await AgentDaemon.RunAsync(["client", "list", "--state-dir", _temp.StatePath]);

        Assert.Equal(1, exit);
        Assert.Contains("the agent is not running", error, StringComparison.Ordinal);
    }

    private string WriteEmptyConfig()
    {
        string config = Path.Combine(_temp.Parent, "empty.json");
        File.WriteAllText(config, "{}");
        return config;
    }
}

using Appliance.Agent.Config;
using Appliance.Contracts;
using Microsoft.Extensions.Configuration;

namespace Appliance.Agent.Tests;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AgentConfigTests
{
    private static (AgentConfigDto? Config, ConfigErrors Errors) Read(params (string Key, string? Value)[] entries)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(entries.Select(e => new KeyValuePair<string, string?>(e.Key, e.Value)))
            .Build();
        return AgentConfigReader.Read(configuration, "appliance.example");
    }

    [Fact]
    public void Nothing_configured_gives_the_documented_defaults()
    {
        var (config, errors) = Read();

        Assert.Equal(0, errors.Count);
        Assert.Equal("127.0.0.1:7443", config!.Api.Listen);
        Assert.Equal(["udp 0.0.0.0:1194", "tcp 0.0.0.0:1194"], config.Tunnel.Listen);
        Assert.Equal("appliance.example", config.Profiles.ServerHost);
        Assert.Equal("pppoe-only", config.Switch.Policy);
        Assert.True(config.Switch.Isolation);
    }

    [Fact]
    public void A_bad_listener_is_named_by_its_index_and_value()
    {
        var (config, errors) = Read(("tunnel:listen:0", "udp 0.0.0.0:1194"), ("tunnel:listen:1", "udp 0.0.0.0:99999"));

        Assert.Null(config);
        var problem = Assert.Single(errors.ToDictionary()["tunnel.listen[1]"]);
        Assert.Contains("'udp 0.0.0.0:99999'", problem, StringComparison.Ordinal);
        Assert.Contains("99999 is outside 0..65535", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_server_renegotiates_hourly_by_default_and_a_shorter_interval_than_a_minute_is_refused()
    {
        var (defaults, _) = Read();
        var (config, errors) = Read(("tunnel:renegotiateSeconds", "30"));

        Assert.Equal(3600, defaults!.Tunnel.RenegotiateSeconds);
        Assert.Null(config);
        Assert.Contains("tunnel.renegotiateSeconds", errors.ToDictionary().Keys);
        Assert.Equal(600, Read(("tunnel:renegotiateSeconds", "600")).Config!.Tunnel.RenegotiateSeconds);
    }

    [Fact]
    public void Five_ended_sessions_are_kept_per_client_by_default_within_1_to_100_and_the_serve_flag_overrides_the_key()
    {
        Assert.Equal(5, Read().Config!.Tunnel.EndedSessionsPerClient);
        Assert.Equal(20, Read(("tunnel:endedSessionsPerClient", "20")).Config!.Tunnel.EndedSessionsPerClient);
        foreach (string bad in new[] { "0", "101" })
        {
            var (config, errors) = Read(("tunnel:endedSessionsPerClient", bad));
            Assert.Null(config);
            Assert.Equal([$"{bad} is outside 1..100"], errors.ToDictionary()["tunnel.endedSessionsPerClient"]);
        }
        var flag = AgentOptions.Parse(["--ended-sessions-per-client", "7"]).Options!;
        var (fromFlag, _) = Read([.. flag.ToConfigOverrides().Select(kv => (kv.Key, kv.Value))]);
        Assert.Equal(7, fromFlag!.Tunnel.EndedSessionsPerClient);
    }

    [Fact]
    public void The_ended_session_retention_is_applied_live()
    {
        var (before, _) = Read();
        var after = before! with { Tunnel = before.Tunnel with { EndedSessionsPerClient = 2 } };

        var result = ConfigChanges.Diff(before, after);

        Assert.Equal(["tunnel.endedSessionsPerClient"], result.Applied);
        Assert.Empty(result.RestartRequired);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_under_its_key()
    {
        var (config, errors) = Read(
            ("api:listen", "localhost:7443"),
            ("tunnel:maxSessions", "many"),
            ("switch:policy", "everything"),
            ("switch:sessionMacLimit", "0"),
            ("uplink:nic", "ens19"),
            ("uplink:bridge", "vmbr1"),
            ("profiles:clientValidityDays", "9999"));

        Assert.Null(config);
        Assert.Equal(["api.listen", "profiles.clientValidityDays", "switch.policy", "switch.sessionMacLimit", "tunnel.maxSessions", "uplink.bridge"],
            errors.ToDictionary().Keys.Order(StringComparer.Ordinal));
        Assert.Contains("'many' is not a whole number", errors.ToDictionary()["tunnel.maxSessions"]);
    }

    [Theory]
    [InlineData("tunnel:maxSesions", "tunnel.maxSesions")]
    [InlineData("tunel:maxSessions", "tunel")]
    public void An_unknown_key_is_refused_not_ignored(string key, string reported)
    {
        var (config, errors) = Read((key, "10"));

        Assert.Null(config);
        Assert.Contains(reported, errors.ToDictionary().Keys);
    }

    [Fact]
    public void Environment_overrides_the_file_and_flags_override_both()
    {
        string dir = Directory.CreateTempSubdirectory("agent-config-").FullName;
        try
        {
            string path = Path.Combine(dir, "agent.json");
            File.WriteAllText(path, """{ "tunnel": { "maxSessions": 10 }, "api": { "listen": "127.0.0.1:7443" } }""");
            var file = AgentConfigFile.Locate(path, dir);
            var environment = new Dictionary<string, string?> { ["APPLIANCE_TUNNEL__MAXSESSIONS"] = "20", ["APPLIANCE_API__LISTEN"] = "127.0.0.1:8000", ["PATH"] = "/bin",
                // The systemd unit's variable for extra flags shares the prefix but is no config key.
                ["APPLIANCE_AGENT_ARGS"] = "--uplink-nic ens19" };
            var flags = new Dictionary<string, string?> { ["api:listen"] = "127.0.0.1:9000" };

            var (config, errors) = file.Load(flags, environment, "host");

            Assert.Equal(0, errors.Count);
            Assert.Equal(20, config!.Tunnel.MaxSessions);
            Assert.Equal("127.0.0.1:9000", config.Api.Listen);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_read_only_seed_is_read_until_a_change_is_saved_in_the_state_directory_which_is_read_from_then_on()
    {
        string dir = Directory.CreateTempSubdirectory("agent-config-").FullName;
        try
        {
            string seed = Path.Combine(dir, "etc-agent.json");
            string state = Directory.CreateDirectory(Path.Combine(dir, "state")).FullName;
            File.WriteAllText(seed, """{ "tunnel": { "maxSessions": 10 } }""");
            var noFlags = new Dictionary<string, string?>();

            var first = AgentConfigFile.Locate(null, state, seed);
            var (config, errors) = first.Load(noFlags, null, "host");
            Assert.Equal(0, errors.Count);
            Assert.Equal(seed, first.Path);
            Assert.Equal(10, config!.Tunnel.MaxSessions);

            first.Save(config with { Tunnel = config.Tunnel with { MaxSessions = 30 } });

            Assert.Equal("""{ "tunnel": { "maxSessions": 10 } }""", File.ReadAllText(seed));
            var next = AgentConfigFile.Locate(null, state, seed);
            Assert.Equal(Path.Combine(state, AgentConfigFile.StateFileName), next.Path);
            Assert.Equal(30, next.Load(noFlags, null, "host").Config!.Tunnel.MaxSessions);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_file_that_is_not_json_is_named_with_the_parse_error()
    {
        string dir = Directory.CreateTempSubdirectory("agent-config-").FullName;
        try
        {
            string path = Path.Combine(dir, "agent.json");
            File.WriteAllText(path, """{ "tunnel": { "maxSessions": 10, }""");

            var (config, errors) = AgentConfigFile.Locate(path, dir).Load(new Dictionary<string, string?>(), null, "host");

            Assert.Null(config);
            Assert.Contains(path, errors.ToDictionary().Keys);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_change_splits_into_keys_applied_live_and_keys_waiting_for_a_restart()
    {
        var before = AgentConfigDefaults.Create("host");
        var after = before with
        {
            Switch = before.Switch with { Isolation = false, SessionMacLimit = 2 },
            Tunnel = before.Tunnel with { Listen = ["udp 0.0.0.0:1195"] },
            Profiles = before.Profiles with { ServerHost = "vpn.example" },
        };

        var result = ConfigChanges.Diff(before, after);

        Assert.Equal(["switch.sessionMacLimit", "switch.isolation", "profiles.serverHost"], result.Applied);
        Assert.Equal(["tunnel.listen"], result.RestartRequired);
    }

    [Fact]
    public void Defaults_are_valid()
    {
        Assert.Equal(0, AgentConfigValidator.Validate(AgentConfigDefaults.Create("host")).Count);
    }
}

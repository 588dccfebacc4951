namespace Appliance.Agent.Tests;

public sealed class AgentOptionsTests
{
    [Fact]
    public void No_arguments_override_nothing_in_the_configuration()
    {
        var (options, errors) = AgentOptions.Parse([]);

        Assert.Empty(errors);
        Assert.Null(options!.Listen);
        Assert.Null(options.UplinkNic);
        Assert.Null(options.LabBridge);
        Assert.Empty(options.ToConfigOverrides());
    }

    [Fact]
    public void Flags_become_the_strongest_configuration_layer()
    {
        var (options, _) = AgentOptions.Parse(["--listen", "0.0.0.0:7443", "--uplink-bridge", "vmbr1", "--all-layer2"]);

        var overrides = options!.ToConfigOverrides();

        Assert.Equal("0.0.0.0:7443", overrides["api:listen"]);
        Assert.Equal("vmbr1", overrides["uplink:bridge"]);
        Assert.Equal("", overrides["uplink:nic"]);
        Assert.Equal("all-layer2", overrides["switch:policy"]);
    }

    [Theory]
    [InlineData(new string[0], 5)]
    [InlineData(new[] { "--handover-wait", "0" }, 0)]
    [InlineData(new[] { "--handover-wait", "20" }, 20)]
    public void The_hand_over_wait_is_5_seconds_unless_set_from_0_to_20(string[] args, int seconds)
    {
        var (options, errors) = AgentOptions.Parse(args);

        Assert.Empty(errors);
        Assert.Equal(seconds, options!.HandoverWaitSeconds);
    }

    [Theory]
    [InlineData("21")]
    [InlineData("-1")]
    [InlineData("five")]
    public void A_hand_over_wait_outside_0_to_20_seconds_is_refused_by_name(string value)
    {
        var (options, errors) = AgentOptions.Parse(["--handover-wait", value]);

        Assert.Null(options);
        Assert.Contains($"--handover-wait '{value}' is not a number of seconds from 0 to 20", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_naming_the_option_and_the_value()
    {
        var (options, errors) = AgentOptions.Parse(["--listen", "nowhere", "--uplink-nic", "eth0", "--uplink-bridge", "vmbr1", "--bogus", "--lab-bridge", "a/b"]);

        Assert.Null(options);
        Assert.Contains(errors, e => e.Contains("--listen 'nowhere'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("exclude each other", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown option '--bogus'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'a/b' is not a Linux interface name", StringComparison.Ordinal));
    }

    [Fact]
    public void A_named_nic_is_taken_as_the_uplink()
    {
        var (options, errors) = AgentOptions.Parse(["--uplink-nic", "ens19", "--listen", "0.0.0.0:7443"]);

        Assert.Empty(errors);
        Assert.Equal("ens19", options!.UplinkNic);
        Assert.Equal(7443, options.Listen!.Port);
    }

    [Fact]
    public void A_state_directory_may_be_named_and_is_otherwise_left_to_the_default()
    {
        var (named, errors) = AgentOptions.Parse(["--state-dir", "/srv/appliance"]);
        var (unnamed, _) = AgentOptions.Parse([]);
        var (_, missing) = AgentOptions.Parse(["--state-dir"]);

        Assert.Empty(errors);
        Assert.Equal("/srv/appliance", named!.StatePath);
        Assert.Null(unnamed!.StatePath);
        Assert.Contains("--state-dir needs a value", missing);
    }
}

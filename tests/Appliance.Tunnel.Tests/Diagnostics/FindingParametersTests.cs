using Appliance.Tunnel.Control;
using Appliance.Tunnel.Diagnostics;

namespace Appliance.Tunnel.Tests.Diagnostics;

/// <summary>
/// A finding carries the values its English text is made of, by name, so a reader (the panel) can word it in its own language;
/// the parameters say the same as the text.
/// </summary>
public sealed class FindingParametersTests
{
    [Fact]
    public void The_field_case_finding_names_its_threshold_the_smallest_size_that_arrives_and_that_only_ipv6_came_up()
    {
        var replay = new SessionReplay();
        var dialup = new DialUpSimulation(replay) { DropFromClientBelow = 34 };
        dialup.Dial();
        dialup.RunFor(TimeSpan.FromSeconds(32));

        var finding = replay.Findings()[0];

        Assert.Equal(PppoeFindingCodes.ShortFramesLostFromClient, finding.Code);
        Assert.Equal("34", finding.Parameters["threshold"]);
        Assert.Contains($"was {finding.Parameters["smallestArrived"]} bytes or longer", finding.Explanation, StringComparison.Ordinal);
        Assert.Equal("true", finding.Parameters["ipv6Only"]);
        Assert.Contains("IPv6CP (larger frames) opened", finding.Explanation, StringComparison.Ordinal);
        Assert.DoesNotContain(FindingParameters.Variant, finding.Parameters.Keys);
    }

    [Fact]
    public void The_driver_warning_names_its_variant_version_gui_and_the_first_fixed_installer()
    {
        var peer = PeerInfo.Parse("IV_VER=2.5.9\nIV_PLAT=win\nIV_GUI_VER=OpenVPN-GUI 11.32.0.0\nIV_PROTO=990\n");

        var warning = TapWindows6Versions.Warning(peer)!;

        Assert.Equal("affected", warning.Parameters[FindingParameters.Variant]);
        Assert.Equal("2.5.9", warning.Parameters["version"]);
        Assert.Equal("OpenVPN-GUI 11.32.0.0", warning.Parameters["gui"]);
        Assert.Equal(TapWindows6Versions.FirstFixedInstaller, warning.Parameters["firstFixed"]);
    }

    [Fact]
    public void Numbers_are_invariant_text_and_a_finding_without_values_has_none()
    {
        var parameters = FindingParameters.Of(("seconds", 32.0), ("count", 1234L), ("on", true), ("name", "IPv4"));

        Assert.Equal(new Dictionary<string, string> { ["seconds"] = "32", ["count"] = "1234", ["on"] = "true", ["name"] = "IPv4" }, parameters);
        Assert.Empty(new PppoeFinding(FindingSeverity.Info, "x", "y", "z").Parameters);
    }
}

using Appliance.Tunnel.Control;
using Appliance.Tunnel.Diagnostics;

namespace Appliance.Tunnel.Tests.Diagnostics;

/// <summary>A Windows client whose OpenVPN installer shipped TAP-Windows6 older than 9.25 is warned about when it connects (openvpn-protocol.md §10.1).</summary>
public sealed class TapWindows6VersionsTests
{
    private static PeerInfo Peer(string platform, string version, string? gui = null) =>
        PeerInfo.Parse($"IV_VER={version}\nIV_PLAT={platform}\n" + (gui is null ? "" : $"IV_GUI_VER={gui}\n") + "IV_PROTO=990\n");

    [Theory]
    [InlineData("win", "2.5.0", TapWindows6Risk.Affected)]
    [InlineData("win", "2.5.9", TapWindows6Risk.Affected)]
    [InlineData("win", "2.5.10", TapWindows6Risk.Fixed)]
    [InlineData("win", "2.6.0", TapWindows6Risk.Affected)]
    [InlineData("win", "2.6.2", TapWindows6Risk.Affected)]
    [InlineData("win", "2.6.3", TapWindows6Risk.Possible)]
    [InlineData("win", "2.6.4", TapWindows6Risk.Fixed)]
    [InlineData("win", "2.6.14", TapWindows6Risk.Fixed)]
    [InlineData("win", "2.7.0", TapWindows6Risk.Fixed)]
    [InlineData("win", "2.4.12", TapWindows6Risk.Affected)]
    [InlineData("win", "2.6_git", TapWindows6Risk.Possible)]
    [InlineData("win", "2.7_rc2", TapWindows6Risk.Fixed)]
    [InlineData("win", "garbage", TapWindows6Risk.Unknown)]
    [InlineData("linux", "2.5.0", TapWindows6Risk.Unknown)]
    [InlineData("mac", "2.6.0", TapWindows6Risk.Unknown)]
    public void The_installer_table_knows_which_versions_shipped_the_short_frame_driver(string platform, string version, TapWindows6Risk expected) =>
        Assert.Equal(expected, TapWindows6Versions.Risk(Peer(platform, version)));

    [Fact]
    public void A_windows_2_5_9_client_gets_a_warning_with_the_installer_to_take()
    {
        var warning = TapWindows6Versions.Warning(Peer("win", "2.5.9", "OpenVPN-GUI 11.32.0.0"));

        Assert.NotNull(warning);
        Assert.Equal(PppoeFindingCodes.ClientDriverDropsShortFrames, warning.Code);
        Assert.Equal(FindingSeverity.Warning, warning.Severity);
        Assert.Equal(34, warning.SizeThreshold);
        Assert.Contains("OpenVPN 2.5.9 on Windows (OpenVPN-GUI 11.32.0.0)", warning.Explanation, StringComparison.Ordinal);
        Assert.Contains("shorter than 34 bytes", warning.Explanation, StringComparison.Ordinal);
        Assert.Contains("2.6.3-I002", warning.Fix, StringComparison.Ordinal);
        Assert.Contains("TAP-Windows Driver Version", warning.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_2_6_3_client_is_told_it_depends_on_the_installer_build()
    {
        var warning = TapWindows6Versions.Warning(Peer("win", "2.6.3"));

        Assert.NotNull(warning);
        Assert.Contains("up to 2.6.3-I001", warning.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Fixed_linux_and_unknown_clients_get_no_warning()
    {
        Assert.Null(TapWindows6Versions.Warning(Peer("win", "2.6.14")));
        Assert.Null(TapWindows6Versions.Warning(Peer("linux", "2.5.0")));
        Assert.Null(TapWindows6Versions.Warning(PeerInfo.Empty));
        Assert.Null(TapWindows6Versions.Warning(null));
    }

    [Fact]
    public void The_warning_joins_the_sessions_findings_after_the_errors_and_before_the_infos()
    {
        var error = new PppoeFinding(FindingSeverity.Error, PppoeFindingCodes.AuthenticationFailed, "e", "f");
        var info = new PppoeFinding(FindingSeverity.Info, PppoeFindingCodes.IPv4Only, "i", "f");

        var merged = TapWindows6Versions.WithWarning([error, info], Peer("win", "2.6.0"));

        Assert.Equal([PppoeFindingCodes.AuthenticationFailed, PppoeFindingCodes.ClientDriverDropsShortFrames, PppoeFindingCodes.IPv4Only], merged.Select(f => f.Code));
        Assert.Equal([PppoeFindingCodes.ClientDriverDropsShortFrames], TapWindows6Versions.WithWarning([], Peer("win", "2.6.0")).Select(f => f.Code));
        Assert.Same(error, Assert.Single(TapWindows6Versions.WithWarning([error], Peer("win", "2.6.14"))));
    }
}

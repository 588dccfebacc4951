using Appliance.Tunnel.Control;
using static System.FormattableString;

namespace Appliance.Tunnel.Diagnostics;

/// <summary>Whether a Windows client's OpenVPN installer shipped a TAP-Windows6 that drops frames shorter than 34 bytes.</summary>
public enum TapWindows6Risk : byte
{
    /// <summary>Not a Windows client, or a version the table does not know.</summary>
    Unknown = 0,
    /// <summary>The installer shipped TAP-Windows6 9.25 or newer.</summary>
    Fixed,
    /// <summary>Some installer builds of this version shipped 9.24.x, later builds of the same version 9.25: IV_VER cannot tell them apart.</summary>
    Possible,
    /// <summary>Every installer of this version shipped TAP-Windows6 older than 9.25.</summary>
    Affected,
}

/// <summary>
/// The one table of which OpenVPN Windows installers bundled a TAP-Windows6 older than 9.25 (the short-frame bug), and the warning a
/// session gets the moment such a client connects.
/// </summary>
/// <remarks>
/// Sources (openvpn-protocol.md §0 item 9 and §10.1): tap-windows6 issue #158, fix PR #159 first released in 9.25.0; the installers'
/// bundled driver from OpenVPN/openvpn-build `windows-msi/version.m4` per tag: 2.5.0 … 2.5.9 and 2.6.0-I001 … 2.6.3-I001 ship 9.24.6;
/// 2.6.3-I002 ships 9.25.0; 2.6.3-I003 … 2.6.9 ship 9.26.0; 2.6.10 and later, 2.5.10-I601 and all 2.7.x ship 9.27.0. Installers older
/// than 2.5 predate 9.25.0 (April 2023), so they can only hold an older driver. Peer-info carries no installer build (I001/I002),
/// so 2.6.3 is "possible". A driver updated on its own is not visible in peer-info: the warning says how to check.
/// </remarks>
public static class TapWindows6Versions
{
    /// <summary>The first OpenVPN installer whose TAP-Windows6 (9.25.0) no longer drops short frames.</summary>
    public const string FirstFixedInstaller = "2.6.3-I002";

    public static TapWindows6Risk Risk(PeerInfo peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (!string.Equals(peer.Platform, "win", StringComparison.Ordinal) || !TryParse(peer.Version, out var v))
            return TapWindows6Risk.Unknown;
        return v switch
        {
            (2, 5 or 6, < 0) => TapWindows6Risk.Possible,
            ( < 2, _, _) => TapWindows6Risk.Affected,
            (2, < 5, _) => TapWindows6Risk.Affected,
            (2, 5, < 10) => TapWindows6Risk.Affected,
            (2, 5, _) => TapWindows6Risk.Fixed,
            (2, 6, < 3) => TapWindows6Risk.Affected,
            (2, 6, 3) => TapWindows6Risk.Possible,
            _ => TapWindows6Risk.Fixed,
        };
    }

    /// <summary>The warning for a client whose installer shipped (or may have shipped) the faulty driver; null otherwise.</summary>
    public static PppoeFinding? Warning(PeerInfo? peer)
    {
        if (peer is null)
            return null;
        var risk = Risk(peer);
        if (risk is not (TapWindows6Risk.Affected or TapWindows6Risk.Possible))
            return null;
        string gui = string.IsNullOrEmpty(peer.GuiVersion) ? "" : Invariant($" ({peer.GuiVersion})");
        string shipped = risk == TapWindows6Risk.Affected
            ? "whose installers shipped TAP-Windows6 older than 9.25"
            : "whose first installers (up to 2.6.3-I001) shipped TAP-Windows6 9.24";
        return new PppoeFinding(
            FindingSeverity.Warning,
            PppoeFindingCodes.ClientDriverDropsShortFrames,
            Invariant($"The client runs OpenVPN {peer.Version} on Windows{gui}, {shipped}: that driver drops every frame shorter than 34 bytes, so PPPoE over this tunnel will bring up IPv6 but not IPv4 (the 32-byte IPCP Configure-Ack never leaves the client)."),
            Invariant($"On the client, install OpenVPN {FirstFixedInstaller} or later (TAP-Windows6 9.25 or newer), or update TAP-Windows6 alone; the client's log line \"TAP-Windows Driver Version 9.NN\" shows the driver in use (9.24 or lower is affected)."))
        {
            SizeThreshold = FrameSizeFaults.TapWindows6Threshold,
            Parameters = FindingParameters.Of((FindingParameters.Variant, risk == TapWindows6Risk.Affected ? "affected" : "possible"),
                ("version", peer.Version ?? ""), ("gui", peer.GuiVersion ?? ""), ("firstFixed", FirstFixedInstaller)),
        };
    }

    /// <summary>The findings with the client's driver warning (if any) among them, most severe first as <see cref="PppoeDiagnosis"/> orders them.</summary>
    public static IReadOnlyList<PppoeFinding> WithWarning(IReadOnlyList<PppoeFinding> findings, PeerInfo? peer)
    {
        ArgumentNullException.ThrowIfNull(findings);
        if (Warning(peer) is not { } warning)
            return findings;
        var merged = new List<PppoeFinding>(findings.Count + 1);
        bool placed = false;
        foreach (var f in findings)
        {
            if (!placed && f.Severity < warning.Severity)
            {
                merged.Add(warning);
                placed = true;
            }
            merged.Add(f);
        }
        if (!placed)
            merged.Add(warning);
        return merged;
    }

    /// <summary>"2.6.3", "2.6_git", "2.7_rc2", "2.5.10": the leading numbers; a missing patch number is -1 (unknown).</summary>
    private static bool TryParse(string? version, out (int Major, int Minor, int Patch) parsed)
    {
        parsed = default;
        if (string.IsNullOrEmpty(version))
            return false;
        Span<int> parts = [0, 0, 0];
        int part = 0, digits = 0;
        foreach (char c in version)
        {
            if (char.IsAsciiDigit(c))
            {
                if (digits++ > 6)
                    return false;
                parts[part] = parts[part] * 10 + (c - '0');
            }
            else if (c == '.' && digits > 0 && part < 2)
            {
                part++;
                digits = 0;
            }
            else
            {
                break;
            }
        }
        if (part == 0)
            return false;
        parsed = (parts[0], parts[1], part == 2 && digits > 0 ? parts[2] : -1);
        return true;
    }
}

using static System.FormattableString;

namespace Appliance.Tunnel.Diagnostics;

/// <summary>The frame-size faults known in the field, the size at which each cuts, and the fix for each.</summary>
/// <remarks>Sources: docs/ORIGIN.md (the 34-byte case) and openvpn-protocol.md §10 (tap-windows6 issue #158, fixed in 9.25.0).</remarks>
public static class FrameSizeFaults
{
    /// <summary>TAP-Windows6 up to 9.24.x checked outgoing frames against Ethernet (14) + IPv4 header (20).</summary>
    public const int TapWindows6Threshold = 34;
    /// <summary>The Ethernet minimum frame (without FCS): a driver or switch that refuses runts instead of padding them.</summary>
    public const int EthernetMinimum = 60;

    /// <summary>An LCP Echo frame's minimum: Ethernet 14 + PPPoE 6 + PPP protocol 2 + LCP header 4 + magic number 4.</summary>
    public const int SmallestEchoFrame = 30;

    /// <summary>The threshold that explains "lost up to <paramref name="largestLost"/>, arriving from <paramref name="smallestArrived"/>":
    /// a known fault's size when it lies in between, else the smallest size seen to arrive.</summary>
    public static int Threshold(int largestLost, int smallestArrived)
    {
        foreach (int known in (ReadOnlySpan<int>)[TapWindows6Threshold, EthernetMinimum])
        {
            if (largestLost < known && known <= smallestArrived)
                return known;
        }
        return smallestArrived;
    }

    public static string FixFromClient(int threshold) => threshold switch
    {
        TapWindows6Threshold => "The client's network driver drops frames shorter than 34 bytes: on Windows, update TAP-Windows6 to 9.25 or newer (OpenVPN 2.6.3-I002 or later installers); elsewhere update the client's TAP or network driver.",
        EthernetMinimum => "Something on the client's side refuses frames shorter than the 60-byte Ethernet minimum instead of padding them (a network driver, a bridge or a filter): update that driver or remove the filter.",
        _ => Invariant($"Something on the client's side (its TAP driver, a firewall or a filter) drops frames shorter than {threshold} bytes before they enter the tunnel: find it and remove it or update it."),
    };

    public static string FixTowardClient(int threshold) =>
        Invariant($"Frames shorter than {threshold} bytes reach the client's VPN adapter and go no further: a receive filter, firewall or driver on the client drops them (TAP-Windows6 itself pads short received frames to 60 bytes). Remove that filter or update the driver.");

    public const string FixLargeFrames =
        "The path between the client and the appliance drops large packets (IP fragments): give the client the TCP profile, which never fragments.";
}

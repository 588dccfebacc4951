using Appliance.Tunnel.Devices;

namespace Appliance.EndToEnd.Tests.Support;

/// <summary>A throw-away namespace holding a Linux bridge with one veth port; the veth's far end is the "wire" a raw socket opens.</summary>
/// <remarks>
/// <code>
///   TapDevice ── tapN ─┐
///                     br0 ── vbr0 ═══ veth ═══ vwire0 ── RawSocketDevice
/// </code>
/// MTU 1508 everywhere: an AF_PACKET socket sends at most MTU + 14 bytes (+4 only when the outer tag is 0x8100),
/// so a 1522-byte QinQ frame with an 802.1ad outer tag needs 1508. The namespace, and everything in it, is deleted
/// on dispose and when the constructor fails half-way.
/// </remarks>
public sealed class BridgeLab : IDisposable
{
    public const int Mtu = 1508;
    public const string Bridge = "br0";
    public const string BridgePort = "vbr0";
    public const string Wire = "vwire0";

    public BridgeLab()
    {
        Namespace = NetworkNamespace.Create();
        try
        {
            Build();
        }
        catch
        {
            Namespace.Dispose();
            throw;
        }
    }

    public NetworkNamespace Namespace { get; }

    /// <summary>The veth's "ethtool -k" line, e.g. "rx-vlan-offload: on".</summary>
    public string WireVlanOffload { get; private set; } = "";

    public TapDevice OpenTap(string name, bool persistent = false) =>
        Namespace.InvokeInside(() => TapDevice.Open(name, new TapOptions { Mtu = Mtu, Bridge = Bridge, Persistent = persistent }));

    public RawSocketDevice OpenWire() => Namespace.InvokeInside(() => RawSocketDevice.Open(Wire));

    public void Dispose() => Namespace.Dispose();

    private void Build()
    {
        // No IPv6 on any interface: no router solicitations, DAD or MLD frames mixed into the test traffic.
        SetSysctl("net.ipv6.conf.all.disable_ipv6", "1");
        SetSysctl("net.ipv6.conf.default.disable_ipv6", "1");

        Namespace.Ip("link", "add", Bridge, "type", "bridge", "stp_state", "0", "mcast_snooping", "0");
        // Kernels built without CONFIG_BRIDGE_VLAN_FILTERING refuse the option; filtering is then off anyway.
        NetworkNamespace.TryRun("ip", ["-n", Namespace.Name, "link", "set", Bridge, "type", "bridge", "vlan_filtering", "0"], out _);
        Namespace.Ip("link", "add", BridgePort, "type", "veth", "peer", "name", Wire);
        foreach (var link in new[] { Bridge, BridgePort, Wire })
            Namespace.Ip("link", "set", link, "mtu", Mtu.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Namespace.Ip("link", "set", BridgePort, "master", Bridge);
        foreach (var link in new[] { Bridge, BridgePort, Wire })
            Namespace.Ip("link", "set", link, "up");

        // br_netfilter would hand IPv4/IPv6/ARP frames to iptables, which trims padding and drops bad headers.
        foreach (var key in new[] { "bridge-nf-call-iptables", "bridge-nf-call-ip6tables", "bridge-nf-call-arptables" })
        {
            if (Namespace.TryExec("sysctl", "-n", $"net.bridge.{key}") == 0)
                SetSysctl($"net.bridge.{key}", "0");
        }

        string features = Namespace.Exec("ethtool", "-k", Wire);
        foreach (var line in features.Split('\n'))
        {
            if (line.StartsWith("rx-vlan-offload:", StringComparison.Ordinal))
                WireVlanOffload = line.Trim();
        }
    }

    private void SetSysctl(string key, string value) => Namespace.Exec("sysctl", "-q", "-w", $"{key}={value}");
}

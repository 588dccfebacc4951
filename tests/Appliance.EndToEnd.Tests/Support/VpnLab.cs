using System.Globalization;

namespace Appliance.EndToEnd.Tests.Support;

/// <summary>
/// Namespaces for one VPN server and its remote clients: an IPv4 "underlay" that carries the tunnel, an uplink bridge
/// on the server side (the ISP's segment) and a LAN bridge at each client site.
/// </summary>
/// <remarks>
/// <code>
///  server namespace                                             client site i (its own namespace)
///  ┌──────────────────────────────────────────────┐            ┌──────────────────────────────────────┐
///  │ VPN server listens on 10.99.0.1 (ul0)         │            │ wan0 10.99.0.(10+i) ── VPN client     │
///  │ ul0 (bridge) ── ul-c0, ul-c1 … ══ veth ═══════╪════════════╪══ wan0                                │
///  │ br-uplink ── VPN server's TAP, PPPoE server   │            │ br-lan ── client's TAP, pppd guests   │
///  └──────────────────────────────────────────────┘            └──────────────────────────────────────┘
/// </code>
/// Every underlay link (ul0, each veth end) has <see cref="UnderlayMtu"/>. IPv6 is off on the hosts' own interfaces so
/// no router solicitations or MLD reports wander onto the bridges (guests run their own IPv6 inside PPP). Every
/// namespace is deleted on dispose and when construction fails half-way; interfaces go with their namespace.
/// </remarks>
public sealed class VpnLab : IDisposable
{
    public const string ServerAddress = "10.99.0.1";
    public const string UnderlayBridge = "ul0";
    /// <summary>The server-side bridge where a VPN server's TAP (the reference's or ours) and the PPPoE server meet.</summary>
    public const string UplinkBridge = "br-uplink";
    private readonly List<ClientSite> _clients = [];

    private VpnLab(NetworkNamespace server, int underlayMtu)
    {
        Server = server;
        UnderlayMtu = underlayMtu;
    }

    public NetworkNamespace Server { get; }

    public int UnderlayMtu { get; }

    public IReadOnlyList<ClientSite> Clients => _clients;

    public static VpnLab Create(int underlayMtu = 1500)
    {
        var lab = new VpnLab(NetworkNamespace.Create("appl-srv"), underlayMtu);
        try
        {
            QuietIpv6(lab.Server);
            lab.Server.AddBridge(UnderlayBridge, underlayMtu);
            lab.Server.Ip("addr", "add", $"{ServerAddress}/24", "dev", UnderlayBridge);
            lab.Server.AddBridge(UplinkBridge);
        }
        catch
        {
            lab.Dispose();
            throw;
        }
        return lab;
    }

    /// <summary>Adds a remote site: a namespace with wan0 on the underlay and an empty LAN bridge.</summary>
    public ClientSite AddClientSite()
    {
        int index = _clients.Count;
        var site = new ClientSite(NetworkNamespace.Create("appl-cli"), index, $"10.99.0.{10 + index}");
        _clients.Add(site);
        string mtu = UnderlayMtu.ToString(CultureInfo.InvariantCulture);
        string serverEnd = $"ul-c{index}";
        QuietIpv6(site.Namespace);
        Server.Ip("link", "add", serverEnd, "mtu", mtu, "type", "veth", "peer", "name", ClientSite.Wan, "mtu", mtu, "netns", site.Namespace.Name);
        Server.Ip("link", "set", serverEnd, "master", UnderlayBridge, "up");
        site.Namespace.Ip("addr", "add", $"{site.Address}/24", "dev", ClientSite.Wan);
        site.Namespace.Ip("link", "set", ClientSite.Wan, "up");
        site.Namespace.AddBridge(ClientSite.LanBridge);
        return site;
    }

    public void Dispose()
    {
        foreach (var site in _clients)
            site.Namespace.Dispose();
        Server.Dispose();
    }

    private static void QuietIpv6(NetworkNamespace ns)
    {
        ns.SetSysctl("net.ipv6.conf.all.disable_ipv6", "1");
        ns.SetSysctl("net.ipv6.conf.default.disable_ipv6", "1");
    }
}

/// <summary>One remote machine of a <see cref="VpnLab"/>: its namespace, its underlay address and its LAN bridge.</summary>
public sealed class ClientSite
{
    public const string Wan = "wan0";
    /// <summary>The client-side bridge joining the VPN client's TAP and the PPPoE clients behind it.</summary>
    public const string LanBridge = "br-lan";

    internal ClientSite(NetworkNamespace ns, int index, string address)
    {
        Namespace = ns;
        Index = index;
        Address = address;
    }

    public NetworkNamespace Namespace { get; }

    public int Index { get; }

    public string Address { get; }
}

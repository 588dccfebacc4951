using Appliance.Proxmox.Http;
using Appliance.Proxmox.Tasks;

namespace Appliance.Proxmox;

public sealed partial class ProxmoxClient
{
    /// <summary>
    /// <c>POST /nodes/{node}/network</c> with <c>type=bridge</c>: a Linux bridge without an IP address (the PPPoE
    /// bridge). Written to <c>interfaces.new</c> until <see cref="ApplyNetworkChangesAsync"/>. Needs Sys.Modify on the node.
    /// </summary>
    public async Task CreateBridgeAsync(string node, string bridge, IReadOnlyList<string> ports, int? mtu = null, string? comments = null, CancellationToken cancellationToken = default)
    {
        var form = new ProxmoxParameters()
            .Add("iface", bridge)
            .Add("type", "bridge")
            .Add("bridge_ports", ports.Count > 0 ? string.Join(' ', ports) : null)
            .Add("autostart", true)
            .Add("mtu", mtu)
            .Add("comments", comments);
        await _api.PostAsync(ApiPath.Of("nodes", node, "network"), form, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>PUT /nodes/{node}/network/{bridge}</c>: changes the given settings of a bridge, keeping the others; pending
    /// until <see cref="ApplyNetworkChangesAsync"/>. Needs Sys.Modify on the node.
    /// </summary>
    public async Task UpdateBridgeAsync(string node, string bridge, IReadOnlyList<string>? ports = null, int? mtu = null, CancellationToken cancellationToken = default)
    {
        var form = new ProxmoxParameters()
            .Add("type", "bridge")
            .Add("bridge_ports", ports is null ? null : string.Join(' ', ports))
            .Add("mtu", mtu);
        await _api.PutAsync(ApiPath.Of("nodes", node, "network", bridge), form, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>PUT /nodes/{node}/network</c>: applies pending network changes (ifreload); returns the task.</summary>
    public async Task<Upid> ApplyNetworkChangesAsync(string node, CancellationToken cancellationToken = default)
    {
        var path = ApiPath.Of("nodes", node, "network");
        return ReadUpid(await _api.PutAsync(path, null, cancellationToken).ConfigureAwait(false), $"PUT {path}");
    }
}

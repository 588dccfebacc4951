using System.Text.Json;
using Appliance.Proxmox.Http;
using Appliance.Proxmox.Models;

namespace Appliance.Proxmox;

public sealed partial class ProxmoxClient
{
    /// <summary><c>GET /version</c>.</summary>
    public async Task<PveVersion> GetVersionAsync(CancellationToken cancellationToken = default)
        => Read<PveVersion>(await _api.GetAsync("/version", null, cancellationToken).ConfigureAwait(false), "GET /version");

    /// <summary><c>GET /nodes</c>: the cluster's nodes with their certificate fingerprints.</summary>
    public async Task<IReadOnlyList<NodeSummary>> GetNodesAsync(CancellationToken cancellationToken = default)
        => Read<List<NodeSummary>>(await _api.GetAsync("/nodes", null, cancellationToken).ConfigureAwait(false), "GET /nodes");

    /// <summary><c>GET /nodes/{node}/status</c>.</summary>
    public async Task<NodeStatus> GetNodeStatusAsync(string node, CancellationToken cancellationToken = default)
    {
        var path = ApiPath.Of("nodes", node, "status");
        return Read<NodeStatus>(await _api.GetAsync(path, null, cancellationToken).ConfigureAwait(false), $"GET {path}");
    }

    /// <summary><c>GET /cluster/resources</c>, optionally only <c>vm</c>, <c>storage</c>, <c>node</c> or <c>sdn</c>.</summary>
    public async Task<IReadOnlyList<ClusterResource>> GetClusterResourcesAsync(string? type = null, CancellationToken cancellationToken = default)
    {
        var query = new ProxmoxParameters().Add("type", type);
        return Read<List<ClusterResource>>(await _api.GetAsync("/cluster/resources", query, cancellationToken).ConfigureAwait(false), "GET /cluster/resources");
    }

    /// <summary><c>GET /cluster/nextid</c>: a free VMID (race-prone: retry a create that finds it taken).</summary>
    public async Task<int> GetNextVmIdAsync(CancellationToken cancellationToken = default)
    {
        var data = await _api.GetAsync("/cluster/nextid", null, cancellationToken).ConfigureAwait(false);
        return data.ValueKind == JsonValueKind.String ? int.Parse(data.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : data.GetInt32();
    }

    /// <summary><c>GET /nodes/{node}/certificates/info</c>: node certificates and the cluster CA (<c>pve-root-ca.pem</c>) to trust.</summary>
    public async Task<IReadOnlyList<CertificateInfo>> GetCertificatesAsync(string node, CancellationToken cancellationToken = default)
    {
        var path = ApiPath.Of("nodes", node, "certificates", "info");
        return Read<List<CertificateInfo>>(await _api.GetAsync(path, null, cancellationToken).ConfigureAwait(false), $"GET {path}");
    }
}

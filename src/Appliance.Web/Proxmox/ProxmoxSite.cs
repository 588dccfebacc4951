using Appliance.Proxmox.Connection;

namespace Appliance.Web.Proxmox;

/// <summary>
/// The Proxmox host or cluster the panel drives, as stored: address, token id, pinned certificate (and the cluster CA once
/// seen), the appliance VM and PPPoE bridge chosen by an admin, and SSH access for the jobs the API cannot do. The token
/// secret and the SSH key are not here: they stay protected in the store and reach only the client that needs them.
/// </summary>
public sealed record ProxmoxSite
{
    public required Uri BaseUrl { get; init; }
    public required string TokenId { get; init; }
    public required string Fingerprint { get; init; }
    public string? ClusterCaPem { get; init; }

    /// <summary>Node of the appliance VM (also the default node of deploys and imports).</summary>
    public string? Node { get; init; }

    /// <summary>VMID of the appliance VM; null until an admin picks or deploys one.</summary>
    public int? VmId { get; init; }

    public string PppoeBridge { get; init; } = "vmbr1";
    public string? SshHost { get; init; }
    public int? SshPort { get; init; }
    public string? SshUser { get; init; }
    public bool HasSshKey { get; init; }

    /// <summary>The SSH host key an admin pinned (<c>SHA256:…</c>).</summary>
    public string? SshHostKey { get; init; }

    public DateTimeOffset ConnectedAt { get; init; }
    public string ConnectedBy { get; init; } = "";

    /// <summary>Connection settings with <paramref name="secret"/>, pinned and trusting the cluster CA when known.</summary>
    public ProxmoxConnection ToConnection(string secret) => new()
    {
        BaseUrl = BaseUrl,
        TokenId = TokenId,
        Secret = secret,
        PinnedFingerprint = Fingerprint,
        TrustedClusterCaPem = ClusterCaPem,
    };
}

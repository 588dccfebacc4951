using Appliance.Proxmox.Models;
using Appliance.Proxmox.Workflows.Connect;
using Appliance.Web.Agents;
using Appliance.Web.Audit;

namespace Appliance.Web.Proxmox;

/// <summary>
/// Connects the panel to Proxmox: checks what an admin typed (certificate seen, nodes, missing privileges), then stores it
/// with the fingerprint pinned and the secret protected. The secret is never returned, logged or audited.
/// </summary>
public sealed class ProxmoxConnector(ProxmoxSiteStore store, ProxmoxClients clients, AuditLog audit, TimeProvider time)
{
    /// <summary>The stored site (no secret), or null.</summary>
    public Task<ProxmoxSite?> ReadSiteAsync() => store.ReadAsync();

    /// <summary>Runs the connection check for an admin; its outcome is audited without the secret.</summary>
    public async Task<ConnectionCheckResult> CheckAsync(PanelOperator by, ConnectionCheckRequest request, CancellationToken cancellationToken = default)
    {
        by.RequireAdmin("connect Proxmox");
        var result = await new ConnectionCheck(time) { ConnectTimeout = clients.ConnectTimeout }.RunAsync(request, cancellationToken);
        await audit.RecordAsync(by.Actor, ProxmoxAuditActions.ConnectionChecked, $"{request.BaseUrl} ({request.TokenId})", Summary(result));
        return result;
    }

    /// <summary>
    /// Stores a connection whose check reached the node. The pinned fingerprint is the one the check saw (and the admin
    /// confirmed, or typed and matched); the cluster CA is kept for when the node certificate is renewed.
    /// </summary>
    public async Task SaveAsync(PanelOperator by, ConnectionCheckRequest request, ConnectionCheckResult result)
    {
        by.RequireAdmin("connect Proxmox");
        if (!result.Connected || result.FingerprintSeen is null)
            throw new InvalidOperationException("the connection check did not reach the node; fix what it reported and check again before saving");
        await store.SaveConnectionAsync(request.BaseUrl, request.TokenId, request.Secret, result.FingerprintSeen, result.ClusterCaPem, result.CheckedNode, time.GetUtcNow(), by.Actor.UserName);
        await audit.RecordAsync(by.Actor, ProxmoxAuditActions.Connected, $"{request.BaseUrl} ({request.TokenId})",
            $"certificate {result.FingerprintSeen}{(result.TrustedOnFirstContact ? " (confirmed by the admin on first contact)" : "")}; {Summary(result)}");
    }

    /// <summary>The cluster's nodes as the stored connection sees them.</summary>
    public Task<ProxmoxReading<IReadOnlyList<NodeSummary>>> ReadNodesAsync(CancellationToken cancellationToken = default)
        => ProxmoxReading.FromAsync(async () =>
        {
            using var site = await clients.OpenAsync();
            return await site.Client.GetNodesAsync(cancellationToken);
        });

    private static string Summary(ConnectionCheckResult result) => result.NeedsConfirmation
        ? $"certificate {result.FingerprintSeen} shown for confirmation; the token was not sent"
        : result.Error is { } error
        ? $"failed: {error}"
        : result.MissingPrivileges.Count == 0
            ? $"Proxmox VE {result.Version?.Version}, {result.Nodes.Count} node(s), all privileges present"
            : $"Proxmox VE {result.Version?.Version}, {result.Nodes.Count} node(s), {result.MissingPrivileges.Count} privilege(s) missing: " +
              string.Join(", ", result.MissingPrivileges.Select(m => $"{m.Privilege} on {m.Path}"));
}

using Appliance.Web.Data;
using Dapper;
using Microsoft.AspNetCore.DataProtection;

namespace Appliance.Web.Proxmox;

/// <summary>
/// The one stored Proxmox connection (<c>proxmox_site</c>). The token secret and the SSH private key are kept protected
/// with Data Protection, so a copy of the database alone reveals neither; they leave this class only unprotected in memory.
/// </summary>
public sealed class ProxmoxSiteStore(PanelDatabase database, IDataProtectionProvider dataProtection)
{
    private const string Columns =
        "base_url AS BaseUrl, token_id AS TokenId, protected_secret AS ProtectedSecret, fingerprint AS Fingerprint, cluster_ca_pem AS ClusterCaPem, " +
        "node AS Node, vm_id AS VmId, pppoe_bridge AS PppoeBridge, ssh_host AS SshHost, ssh_port AS SshPort, ssh_user AS SshUser, " +
        "protected_ssh_key AS ProtectedSshKey, ssh_host_key AS SshHostKey, connected_at AS ConnectedAt, connected_by AS ConnectedBy";

    private const string Select = "SELECT " + Columns + " FROM proxmox_site WHERE id = 1";

    // A new connection keeps the appliance VM, bridge and SSH choices when the address stays the same.
    private const string Upsert =
        "INSERT INTO proxmox_site (id, base_url, token_id, protected_secret, fingerprint, cluster_ca_pem, node, connected_at, connected_by) " +
        "VALUES (1, @BaseUrl, @TokenId, @ProtectedSecret, @Fingerprint, @ClusterCaPem, @Node, @ConnectedAt, @ConnectedBy) " +
        "ON CONFLICT(id) DO UPDATE SET " +
        "node = CASE WHEN base_url = excluded.base_url THEN COALESCE(node, excluded.node) ELSE excluded.node END, " +
        "vm_id = CASE WHEN base_url = excluded.base_url THEN vm_id END, " +
        "base_url = excluded.base_url, token_id = excluded.token_id, protected_secret = excluded.protected_secret, " +
        "fingerprint = excluded.fingerprint, cluster_ca_pem = excluded.cluster_ca_pem, connected_at = excluded.connected_at, connected_by = excluded.connected_by";

    private const string UpdateVm = "UPDATE proxmox_site SET node = @Node, vm_id = @VmId, pppoe_bridge = @PppoeBridge WHERE id = 1";

    private const string UpdateSsh =
        "UPDATE proxmox_site SET ssh_host = @Host, ssh_port = @Port, ssh_user = @User, protected_ssh_key = @ProtectedKey, ssh_host_key = @HostKey WHERE id = 1";

    private readonly IDataProtector _secrets = dataProtection.CreateProtector("Appliance.Web.Proxmox.TokenSecret.v1");
    private readonly IDataProtector _keys = dataProtection.CreateProtector("Appliance.Web.Proxmox.SshKey.v1");

    /// <summary>The stored site, or null when no Proxmox is connected yet.</summary>
    public async Task<ProxmoxSite?> ReadAsync() => (await ReadRowAsync())?.ToSite();

    /// <summary>The stored site with its token secret, for building a client.</summary>
    internal async Task<(ProxmoxSite Site, string Secret)?> ReadWithSecretAsync()
        => await ReadRowAsync() is { } row ? (row.ToSite(), _secrets.Unprotect(row.ProtectedSecret)) : null;

    /// <summary>The stored SSH private key, or null.</summary>
    internal async Task<string?> ReadSshKeyAsync()
        => await ReadRowAsync() is { ProtectedSshKey: { } key } ? _keys.Unprotect(key) : null;

    /// <summary>Stores a checked connection (replaces the previous one).</summary>
    public async Task SaveConnectionAsync(Uri baseUrl, string tokenId, string secret, string fingerprint, string? clusterCaPem, string? node, DateTimeOffset at, string by)
    {
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync(Upsert, new
        {
            BaseUrl = baseUrl.ToString(),
            TokenId = tokenId,
            ProtectedSecret = _secrets.Protect(secret),
            Fingerprint = fingerprint,
            ClusterCaPem = clusterCaPem,
            Node = node,
            ConnectedAt = at.ToUnixTimeMilliseconds(),
            ConnectedBy = by,
        });
    }

    /// <summary>Records which VM is the appliance and which bridge carries PPPoE; false when no site is stored.</summary>
    public async Task<bool> SaveApplianceVmAsync(string node, int? vmId, string pppoeBridge)
    {
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteAsync(UpdateVm, new { Node = node, VmId = vmId, PppoeBridge = pppoeBridge }) == 1;
    }

    /// <summary>Stores SSH access; a null <paramref name="privateKey"/> keeps the stored key.</summary>
    public async Task<bool> SaveSshAsync(string host, int port, string user, string? privateKey, string? hostKey)
    {
        var existing = await ReadRowAsync();
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteAsync(UpdateSsh, new
        {
            Host = host,
            Port = port,
            User = user,
            ProtectedKey = privateKey is null ? existing?.ProtectedSshKey : _keys.Protect(privateKey),
            HostKey = hostKey,
        }) == 1;
    }

    private async Task<Row?> ReadRowAsync()
    {
        await using var connection = await database.OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<Row>(Select);
    }

    private sealed record Row
    {
        public string BaseUrl { get; init; } = "";
        public string TokenId { get; init; } = "";
        public string ProtectedSecret { get; init; } = "";
        public string Fingerprint { get; init; } = "";
        public string? ClusterCaPem { get; init; }
        public string? Node { get; init; }
        public long? VmId { get; init; }
        public string PppoeBridge { get; init; } = "vmbr1";
        public string? SshHost { get; init; }
        public long? SshPort { get; init; }
        public string? SshUser { get; init; }
        public string? ProtectedSshKey { get; init; }
        public string? SshHostKey { get; init; }
        public long ConnectedAt { get; init; }
        public string ConnectedBy { get; init; } = "";

        public ProxmoxSite ToSite() => new()
        {
            BaseUrl = new Uri(BaseUrl),
            TokenId = TokenId,
            Fingerprint = Fingerprint,
            ClusterCaPem = ClusterCaPem,
            Node = Node,
            VmId = VmId is { } v ? (int)v : null,
            PppoeBridge = PppoeBridge,
            SshHost = SshHost,
            SshPort = SshPort is { } p ? (int)p : null,
            SshUser = SshUser,
            HasSshKey = ProtectedSshKey is not null,
            SshHostKey = SshHostKey,
            ConnectedAt = DateTimeOffset.FromUnixTimeMilliseconds(ConnectedAt),
            ConnectedBy = ConnectedBy,
        };
    }
}

using Appliance.Proxmox;

namespace Appliance.Web.Proxmox;

/// <summary>Builds clients for the stored site: pinned to its certificate, trusting its cluster CA, on the panel's clock.</summary>
public sealed class ProxmoxClients(ProxmoxSiteStore store, TimeProvider time, ILoggerFactory logs)
{
    public TimeProvider Time => time;

    /// <summary>How long a new connection to the node may take to set up (tests shorten it).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The stored site with a client; throws <see cref="ProxmoxNotConnectedException"/> when none is stored.</summary>
    public async Task<ConnectedSite> OpenAsync()
    {
        var stored = await store.ReadWithSecretAsync() ?? throw new ProxmoxNotConnectedException();
        var connection = stored.Site.ToConnection(stored.Secret);
        connection.ConnectTimeout = ConnectTimeout;
        var client = new ProxmoxClient(connection, time, logs.CreateLogger<ProxmoxClient>());
        return new ConnectedSite(stored.Site, client);
    }
}

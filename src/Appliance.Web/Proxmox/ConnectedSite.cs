using Appliance.Proxmox;

namespace Appliance.Web.Proxmox;

/// <summary>The stored site and a client pinned to it, for one operation; dispose it when done.</summary>
public sealed class ConnectedSite(ProxmoxSite site, ProxmoxClient client) : IDisposable
{
    public ProxmoxSite Site { get; } = site;

    public ProxmoxClient Client { get; } = client;

    public void Dispose() => Client.Dispose();
}

/// <summary>Something an admin sets up first is missing (the connection, the appliance VM); the message says what and where.</summary>
public class ProxmoxSetupMissingException(string message) : InvalidOperationException(message);

/// <summary>The Proxmox host is not connected yet: an admin connects it on the Proxmox page.</summary>
public sealed class ProxmoxNotConnectedException()
    : ProxmoxSetupMissingException("no Proxmox host is connected yet; an admin connects one under Proxmox → Connection");

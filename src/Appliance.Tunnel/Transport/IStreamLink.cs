namespace Appliance.Tunnel.Transport;

/// <summary>One stream connection (TCP): a peer link that belongs to at most one session and knows whether that
/// session has authenticated, so the transport can shed unauthenticated connections first.</summary>
public interface IStreamLink : IPeerLink
{
    /// <summary>The session this connection belongs to, set by the server once it exists.</summary>
    object? Owner { get; set; }

    /// <summary>Set by the server once the owning session has authenticated; an authenticated connection is never
    /// closed by a deadline or to make room.</summary>
    bool IsAuthenticated { get; set; }

    /// <summary>The remote IP address (no port), for per-source limits.</summary>
    System.Net.IPAddress RemoteAddress { get; }
}

using System.Net;
using Appliance.Proxmox.Tls;

namespace Appliance.Proxmox.Http;

/// <summary>Builds the <see cref="SocketsHttpHandler"/> for one PVE endpoint.</summary>
public static class ProxmoxHttpHandler
{
    /// <summary>
    /// pveproxy drops idle keep-alive connections after 5 s (pve-http-server AnyEvent.pm); a pooled connection kept
    /// longer fails the next request with a reset (bpg/terraform-provider-proxmox#3082), so the pool lets go first.
    /// </summary>
    public static readonly TimeSpan PooledConnectionIdleTimeout = TimeSpan.FromSeconds(3);

    /// <summary>A handler with a short idle timeout and <paramref name="trust"/> as the certificate check.</summary>
    /// <param name="connectTimeout">How long TCP and TLS setup may take (10 s when null).</param>
    public static SocketsHttpHandler Create(NodeCertificateTrust trust, TimeSpan? connectTimeout = null) => new()
    {
        PooledConnectionIdleTimeout = PooledConnectionIdleTimeout,
        // pveproxy serves up to 100 requests per connection; recycle well before that matters.
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(10),
        AutomaticDecompression = DecompressionMethods.GZip,
        UseCookies = false,
        AllowAutoRedirect = false,
        SslOptions = { RemoteCertificateValidationCallback = trust.Validate },
    };
}

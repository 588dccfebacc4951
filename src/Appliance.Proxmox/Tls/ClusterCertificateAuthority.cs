using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Proxmox.Tls;

/// <summary>Loads the PVE cluster CA (<c>pve-root-ca.pem</c>) from PEM text.</summary>
public static class ClusterCertificateAuthority
{
    /// <summary>Parses the first certificate in <paramref name="pem"/>; on failure says why in operator words.</summary>
    public static bool TryLoad(string pem, out X509Certificate2? authority, out string problem)
    {
        authority = null;
        problem = "";
        if (!pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            problem = "no '-----BEGIN CERTIFICATE-----' block found";
            return false;
        }
        try
        {
            authority = X509Certificate2.CreateFromPem(pem);
        }
        catch (CryptographicException e)
        {
            problem = $"the PEM could not be read ({e.Message})";
            return false;
        }
        var constraints = authority.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (constraints is { CertificateAuthority: false })
        {
            problem = $"'{authority.Subject}' is not a CA certificate (it looks like a node certificate; use pve-root-ca.pem)";
            authority.Dispose();
            authority = null;
            return false;
        }
        return true;
    }
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Proxmox.Tests.FakePve;

/// <summary>
/// Certificates shaped like PVE's: a cluster CA and a node certificate it signs whose SAN names only the node
/// (so connecting by 127.0.0.1 is a name mismatch, as with a real node reached by another address).
/// </summary>
public static class TestCertificates
{
    private static readonly Lazy<(X509Certificate2 Authority, X509Certificate2 Node)> Default = new(() => CreateCluster("pve-test"));

    /// <summary>The shared cluster CA (public part only).</summary>
    public static X509Certificate2 ClusterAuthority => Default.Value.Authority;

    /// <summary>The shared node certificate with private key, signed by <see cref="ClusterAuthority"/>.</summary>
    public static X509Certificate2 Node => Default.Value.Node;

    /// <summary>A fresh CA and node certificate.</summary>
    public static (X509Certificate2 Authority, X509Certificate2 Node) CreateCluster(string nodeName)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN=Proxmox Virtual Environment, OU={Guid.NewGuid():N}, O=PVE Cluster Manager CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var authorityWithKey = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));

        using var nodeKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var nodeRequest = new CertificateRequest($"CN={nodeName}.lan, OU=PVE Cluster Node, O=Proxmox Virtual Environment", nodeKey, HashAlgorithmName.SHA256);
        nodeRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        nodeRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(nodeName);
        san.AddDnsName($"{nodeName}.lan");
        nodeRequest.CertificateExtensions.Add(san.Build());
        var serial = RandomNumberGenerator.GetBytes(12);
        using var signed = nodeRequest.Create(authorityWithKey, now.AddDays(-1), now.AddYears(2), serial);
        using var withKey = signed.CopyWithPrivateKey(nodeKey);
        // Kestrel wants a certificate whose key survives as a PKCS#12 round trip.
        var node = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pfx), null);
        var authority = X509CertificateLoader.LoadCertificate(authorityWithKey.RawData);
        return (authority, node);
    }

    /// <summary>PEM text of a certificate.</summary>
    public static string Pem(X509Certificate2 certificate) => certificate.ExportCertificatePem();
}

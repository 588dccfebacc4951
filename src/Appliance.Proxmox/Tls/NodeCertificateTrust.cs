using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Proxmox.Tls;

/// <summary>
/// Decides whether a PVE node certificate is trusted: a publicly valid certificate, a leaf whose SHA-256 matches
/// the pin, or a chain ending at the pinned cluster CA. A host-name mismatch is tolerated only in the last two
/// cases, because PVE's self-signed node certificates name only the node, never the address the panel uses.
/// </summary>
public sealed class NodeCertificateTrust : IDisposable
{
    private readonly string? _pinnedFingerprint;
    private readonly X509Certificate2? _clusterAuthority;
    private volatile string? _lastRejection;

    /// <summary>Trusts the leaf with <paramref name="pinnedFingerprint"/> and any leaf issued by the CA in <paramref name="clusterCaPem"/>.</summary>
    public NodeCertificateTrust(string? pinnedFingerprint, string? clusterCaPem)
    {
        _pinnedFingerprint = pinnedFingerprint;
        if (clusterCaPem is null)
            return;
        if (!ClusterCertificateAuthority.TryLoad(clusterCaPem, out var authority, out var problem))
            throw new ArgumentException($"trusted cluster CA is not usable: {problem}", nameof(clusterCaPem));
        _clusterAuthority = authority;
    }

    /// <summary>Why the most recent certificate was refused, for the error the operator sees; null if none was.</summary>
    public string? LastRejection => _lastRejection;

    /// <summary>The <see cref="RemoteCertificateValidationCallback"/> for <see cref="SslClientAuthenticationOptions"/>.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            _lastRejection = "the server presented no certificate";
            return false;
        }
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var presented = CertificateFingerprint.Of(leaf);

        if (_pinnedFingerprint is not null && CertificateFingerprint.AreEqual(presented, _pinnedFingerprint))
            return true;
        if (_clusterAuthority is not null && ChainsToClusterAuthority(leaf, chain))
            return true;
        if (errors == SslPolicyErrors.None)
            return true;

        _lastRejection = Describe(leaf, presented, errors);
        return false;
    }

    private bool ChainsToClusterAuthority(X509Certificate2 leaf, X509Chain? presentedChain)
    {
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(_clusterAuthority!);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presentedChain is not null)
        {
            foreach (var element in presentedChain.ChainElements)
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        return custom.Build(leaf);
    }

    private string Describe(X509Certificate2 leaf, string presented, SslPolicyErrors errors)
    {
        var expected = (_pinnedFingerprint, _clusterAuthority) switch
        {
            (not null, not null) => $"neither the pinned fingerprint {_pinnedFingerprint} nor the cluster CA '{_clusterAuthority.Subject}'",
            (not null, null) => $"not the pinned fingerprint {_pinnedFingerprint}",
            (null, not null) => $"not issued by the cluster CA '{_clusterAuthority.Subject}'",
            _ => $"not trusted by this system ({errors}) and no fingerprint is pinned",
        };
        return $"the node certificate '{leaf.Subject}' has SHA-256 fingerprint {presented}, {expected}; " +
               "compare it with Node → System → Certificates in the Proxmox GUI (the node certificate is renewed automatically) " +
               "and, if it is the node's, confirm the new fingerprint in the panel";
    }

    /// <summary>Releases the cluster CA certificate.</summary>
    public void Dispose() => _clusterAuthority?.Dispose();
}

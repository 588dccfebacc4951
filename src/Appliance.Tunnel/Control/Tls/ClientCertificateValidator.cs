using System.Security.Cryptography.X509Certificates;

namespace Appliance.Tunnel.Control.Tls;

/// <summary>Decides whether a client certificate may open a control channel: chains to our CA only, is in its validity period, has EKU clientAuth and is not in our CRL.</summary>
/// <remarks>
/// Thread-safe. The CRL is swapped atomically by <see cref="RevocationList"/> (reload without restart); a handshake
/// uses whichever list was current when its certificate was checked. No system roots are consulted. Single-level PKI:
/// the leaf must be issued by the CA itself, since the CRL is the CA's.
/// </remarks>
public sealed class ClientCertificateValidator
{
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    private readonly X509Certificate2 _authority;
    private readonly TimeProvider _time;
    private CertificateRevocationList? _revocationList;

    public ClientCertificateValidator(X509Certificate2 certificateAuthority, CertificateRevocationList? revocationList = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(certificateAuthority);
        _authority = certificateAuthority;
        _time = time ?? TimeProvider.System;
        RevocationList = revocationList;
    }

    public X509Certificate2 CertificateAuthority => _authority;

    /// <summary>The CRL in force; set a newly loaded one to apply it to the next handshake. Null checks no revocation.</summary>
    public CertificateRevocationList? RevocationList
    {
        get => Volatile.Read(ref _revocationList);
        set
        {
            if (value is not null && !value.Issuer.RawData.AsSpan().SequenceEqual(_authority.SubjectName.RawData))
                throw new ArgumentException($"CRL issuer '{value.Issuer.Name}' is not the CA '{_authority.Subject}'", nameof(value));
            Volatile.Write(ref _revocationList, value);
        }
    }

    /// <summary>True when the CRL in force is past its next-update time (it still applies; the operator should publish a new one).</summary>
    public bool IsRevocationListStale => RevocationList is { } crl && crl.IsStale(_time.GetUtcNow());

    public ClientCertificateCheck Validate(X509Certificate2? certificate)
    {
        if (certificate is null)
            return new(ClientCertificateRefusal.NoCertificate, null, null, "the client sent no certificate");

        string commonName = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        string serial = Convert.ToHexString(certificate.SerialNumberBytes.Span);
        ClientCertificateCheck Refuse(ClientCertificateRefusal reason, string detail) => new(reason, commonName, serial, detail);

        DateTimeOffset now = _time.GetUtcNow();
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.Add(_authority);
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = now.UtcDateTime;
        try
        {
            chain.Build(certificate);
            X509ChainStatusFlags flags = X509ChainStatusFlags.NoError;
            foreach (var status in chain.ChainStatus)
                flags |= status.Status;

            const X509ChainStatusFlags untrusted = X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain
                | X509ChainStatusFlags.NotSignatureValid | X509ChainStatusFlags.ExplicitDistrust;
            bool issuedByOurCa = chain.ChainElements.Count == 2
                && chain.ChainElements[1].Certificate.RawDataMemory.Span.SequenceEqual(_authority.RawDataMemory.Span);
            if ((flags & untrusted) != 0 || !issuedByOurCa)
                return Refuse(ClientCertificateRefusal.UnknownCa, $"certificate '{commonName}' (issuer '{certificate.Issuer}') does not chain to CA '{_authority.Subject}'");

            if ((flags & X509ChainStatusFlags.NotTimeValid) != 0 || now > certificate.NotAfter || now < certificate.NotBefore)
            {
                if (now < certificate.NotBefore)
                    return Refuse(ClientCertificateRefusal.NotYetValid, $"certificate '{commonName}' is valid from {certificate.NotBefore.ToUniversalTime():u}, now is {now.UtcDateTime:u}");
                return now > certificate.NotAfter
                    ? Refuse(ClientCertificateRefusal.Expired, $"certificate '{commonName}' expired at {certificate.NotAfter.ToUniversalTime():u}")
                    : Refuse(ClientCertificateRefusal.Expired, $"CA '{_authority.Subject}' is outside its validity period ({_authority.NotBefore.ToUniversalTime():u} to {_authority.NotAfter.ToUniversalTime():u})");
            }

            if (flags != X509ChainStatusFlags.NoError)
                return Refuse(ClientCertificateRefusal.InvalidChain, $"certificate '{commonName}' chains to our CA but the chain reports {flags}");

            if (!HasClientAuth(certificate))
                return Refuse(ClientCertificateRefusal.MissingClientAuthEku, $"certificate '{commonName}' lacks extended key usage clientAuth ({ClientAuthOid})");

            if (RevocationList is { } crl && crl.IsRevoked(certificate))
                return Refuse(ClientCertificateRefusal.Revoked, $"certificate '{commonName}' serial {serial} is revoked by the CRL of {crl.ThisUpdate.UtcDateTime:u}");

            return new(null, commonName, serial, null);
        }
        finally
        {
            foreach (var element in chain.ChainElements)
                if (!ReferenceEquals(element.Certificate, certificate))
                    element.Certificate.Dispose();
        }
    }

    private static bool HasClientAuth(X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509EnhancedKeyUsageExtension eku)
            {
                foreach (var oid in eku.EnhancedKeyUsages)
                    if (oid.Value == ClientAuthOid)
                        return true;
                return false;
            }
        }
        return false;
    }
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.EndToEnd.Tests.Support;

/// <summary>A certificate and its private key, both PEM, as an OpenVPN config embeds them.</summary>
public sealed record IssuedCertificate(string CommonName, string CertificatePem, string PrivateKeyPem, X509Certificate2 Certificate);

/// <summary>An EC P-256 certificate authority for tests: issues server and client certificates and signs a CRL.</summary>
/// <remarks>Key usages follow the reference setup (openvpn-protocol.md §9.1): servers get digitalSignature + serverAuth, clients clientAuth.</remarks>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly X509Certificate2 _certificate;
    private readonly List<(X509Certificate2 Certificate, DateTimeOffset When)> _revoked = [];
    private readonly List<X509Certificate2> _issued = [];
    private long _crlNumber;

    private TestCertificateAuthority(X509Certificate2 certificate) => _certificate = certificate;

    public string CommonName => _certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);

    public string CertificatePem => _certificate.ExportCertificatePem();

    public static TestCertificateAuthority Create(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        // Starts well in the past so an already-expired leaf still chains to a CA that was valid when it was issued.
        return new TestCertificateAuthority(request.CreateSelfSigned(now.AddDays(-30), now.AddDays(30)));
    }

    public IssuedCertificate IssueServer(string commonName) =>
        Issue(commonName, X509KeyUsageFlags.DigitalSignature, "1.3.6.1.5.5.7.3.1", null, null);

    public IssuedCertificate IssueClient(string commonName, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null) =>
        Issue(commonName, X509KeyUsageFlags.DigitalSignature, "1.3.6.1.5.5.7.3.2", notBefore, notAfter);

    /// <summary>Puts the certificate on the next <see cref="CrlPem"/>.</summary>
    public void Revoke(IssuedCertificate issued) => _revoked.Add((issued.Certificate, DateTimeOffset.UtcNow.AddMinutes(-1)));

    /// <summary>A freshly signed CRL (valid from a minute ago for a day) listing every revoked certificate.</summary>
    public string CrlPem()
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var (certificate, when) in _revoked)
            builder.AddEntry(certificate, when, X509RevocationReason.KeyCompromise);
        var now = DateTimeOffset.UtcNow;
        byte[] der = builder.Build(_certificate, ++_crlNumber, now.AddDays(1), HashAlgorithmName.SHA256, thisUpdate: now.AddMinutes(-1));
        return PemEncoding.WriteString("X509 CRL", der) + "\n";
    }

    public void Dispose()
    {
        _certificate.Dispose();
        foreach (var certificate in _issued)
            certificate.Dispose();
    }

    private IssuedCertificate Issue(string commonName, X509KeyUsageFlags usage, string extendedUsage, DateTimeOffset? notBefore, DateTimeOffset? notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(extendedUsage)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_certificate, true, false));
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        var now = DateTimeOffset.UtcNow;
        var certificate = request.Create(_certificate, notBefore ?? now.AddDays(-1), notAfter ?? now.AddDays(7), serial);
        _issued.Add(certificate);
        return new IssuedCertificate(commonName, certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n", certificate);
    }
}

/// <summary>
/// Everything the end-to-end tests need to authenticate: a CA with a server certificate, a good client, an expired
/// client, a revoked client (and the CRL naming it), a client from a foreign CA, and a tls-crypt key.
/// </summary>
public sealed class TestPki : IDisposable
{
    private TestPki(TestCertificateAuthority ca, TestCertificateAuthority foreignCa)
    {
        Ca = ca;
        ForeignCa = foreignCa;
        Server = ca.IssueServer("e2e-server");
        Client = ca.IssueClient("e2e-client");
        var now = DateTimeOffset.UtcNow;
        ExpiredClient = ca.IssueClient("e2e-expired", now.AddDays(-10), now.AddDays(-1));
        RevokedClient = ca.IssueClient("e2e-revoked");
        ca.Revoke(RevokedClient);
        ForeignClient = foreignCa.IssueClient("e2e-foreign");
        ForeignServer = foreignCa.IssueServer("e2e-server");
        TlsCryptKey = Support.TlsCryptKey.Generate();
    }

    public TestCertificateAuthority Ca { get; }

    /// <summary>A CA the server does not trust; its certificates must be refused by both sides.</summary>
    public TestCertificateAuthority ForeignCa { get; }

    public IssuedCertificate Server { get; }

    public IssuedCertificate Client { get; }

    public IssuedCertificate ExpiredClient { get; }

    public IssuedCertificate RevokedClient { get; }

    public IssuedCertificate ForeignClient { get; }

    /// <summary>A server certificate with the real server's name, signed by <see cref="ForeignCa"/> (an impostor).</summary>
    public IssuedCertificate ForeignServer { get; }

    public string TlsCryptKey { get; }

    public static TestPki Create() => new(TestCertificateAuthority.Create("e2e-ca"), TestCertificateAuthority.Create("e2e-foreign-ca"));

    /// <summary>Another good client certificate (one per simultaneous client).</summary>
    public IssuedCertificate IssueClient(string commonName) => Ca.IssueClient(commonName);

    public void Dispose()
    {
        Ca.Dispose();
        ForeignCa.Dispose();
    }
}

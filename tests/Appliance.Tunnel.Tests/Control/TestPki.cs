using System.Net.Security;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Appliance.Tunnel.Control.Tls;

namespace Appliance.Tunnel.Tests.ControlChannel;

/// <summary>An EC P-256 PKI made in memory for the control-channel tests: our CA, a server, clients good and bad, a foreign CA, CRLs.</summary>
/// <remarks>Validity is relative to the real clock, because both TLS peers also check it; tests move a fake clock only for the reliability layer.</remarks>
public sealed class TestPki : IDisposable
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    private int _serial = 0x1000;

    public TestPki()
    {
        Now = DateTimeOffset.UtcNow;
        Ca = CreateAuthority("CN=Appliance Test CA");
        ForeignCa = CreateAuthority("CN=Someone Else's CA");
        Server = Issue(Ca, "CN=vpn.appliance.test", ServerAuth, Now.AddHours(-1), Now.AddYears(1));
        Alice = Issue(Ca, "CN=alice", ClientAuth, Now.AddHours(-1), Now.AddYears(1));
        Carol = Issue(Ca, "CN=carol", ClientAuth, Now.AddHours(-1), Now.AddYears(1));
        Expired = Issue(Ca, "CN=old-bob", ClientAuth, Now.AddDays(-60), Now.AddDays(-1));
        NotYetValid = Issue(Ca, "CN=future-dan", ClientAuth, Now.AddDays(1), Now.AddYears(1));
        Revoked = Issue(Ca, "CN=mallory", ClientAuth, Now.AddHours(-1), Now.AddYears(1));
        Foreign = Issue(ForeignCa, "CN=eve", ClientAuth, Now.AddHours(-1), Now.AddYears(1));
        ServerAuthOnly = Issue(Ca, "CN=not-a-client", ServerAuth, Now.AddHours(-1), Now.AddYears(1));
        CrlRevokingMallory = BuildCrl(Ca, 1, Revoked);
        CrlRevokingMalloryAndCarol = BuildCrl(Ca, 2, Revoked, Carol);
        ServerContext = SslStreamCertificateContext.Create(Server, additionalCertificates: null, offline: true);
    }

    public DateTimeOffset Now { get; }
    public X509Certificate2 Ca { get; }
    public X509Certificate2 ForeignCa { get; }
    public X509Certificate2 Server { get; }
    public X509Certificate2 Alice { get; }
    public X509Certificate2 Carol { get; }
    public X509Certificate2 Expired { get; }
    public X509Certificate2 NotYetValid { get; }
    public X509Certificate2 Revoked { get; }
    public X509Certificate2 Foreign { get; }
    public X509Certificate2 ServerAuthOnly { get; }
    public byte[] CrlRevokingMallory { get; }
    public byte[] CrlRevokingMalloryAndCarol { get; }
    public SslStreamCertificateContext ServerContext { get; }

    /// <summary>A client certificate of our CA valid until <paramref name="notAfter"/>.</summary>
    public X509Certificate2 IssueClient(string commonName, DateTimeOffset notAfter) =>
        Issue(Ca, "CN=" + commonName, ClientAuth, Now.AddHours(-1), notAfter);

    public CertificateRevocationList LoadCrl(byte[] der)
    {
        Assert.True(CertificateRevocationList.TryLoad(der, Ca, out var crl, out var error), error);
        return crl!;
    }

    public byte[] BuildCrl(X509Certificate2 issuer, int number, params X509Certificate2[] revoked)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var certificate in revoked)
            builder.AddEntry(certificate, Now.AddMinutes(-5), X509RevocationReason.KeyCompromise);
        return builder.Build(issuer, new BigInteger(number), Now.AddDays(7), HashAlgorithmName.SHA256, thisUpdate: Now.AddMinutes(-1));
    }

    private X509Certificate2 CreateAuthority(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(Now.AddYears(-1), Now.AddYears(10));
    }

    private X509Certificate2 Issue(X509Certificate2 issuer, string subject, string eku, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(eku)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        byte[] serial = BitConverter.GetBytes(Interlocked.Increment(ref _serial));
        Array.Reverse(serial);
        using var issued = request.Create(issuer, notBefore, notAfter, serial);
        return issued.CopyWithPrivateKey(key);
    }

    public void Dispose()
    {
        foreach (var c in new[] { Ca, ForeignCa, Server, Alice, Carol, Expired, NotYetValid, Revoked, Foreign, ServerAuthOnly })
            c.Dispose();
    }
}

using System.Net;
using System.Runtime.Versioning;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Appliance.Agent.State;
using Appliance.Contracts;

namespace Appliance.Agent.Api;

/// <summary>The control API's own TLS certificate, issued by the appliance CA and kept in the state directory.</summary>
/// <remarks>
/// Dedicated rather than the tunnel's server certificate, so the API's key can be replaced without touching profiles.
/// Clients trust it by pinning its SHA-256 fingerprint (published in <c>api.fingerprint</c>), not by name.
/// </remarks>
[SupportedOSPlatform("linux")]
public static class ApiCertificate
{
    public const string CertificateFile = "api.crt";
    public const string KeyFile = "api.key";
    public const string FingerprintFile = "api.fingerprint";

    public static X509Certificate2 LoadOrCreate(ApplianceState state, TimeProvider time)
    {
        var directory = state.Directory;
        X509Certificate2 certificate;
        if (directory.TryRead(CertificateFile) is { } pem && directory.TryRead(KeyFile) is { } key)
        {
            try
            {
                using var loaded = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(pem), Encoding.ASCII.GetString(key));
                certificate = X509CertificateLoader.LoadPkcs12(loaded.Export(X509ContentType.Pkcs12), null);
            }
            catch (System.Security.Cryptography.CryptographicException e)
            {
                throw new StateDirectoryException($"'{directory.PathOf(CertificateFile)}' and '{KeyFile}' do not load ({e.Message}); delete both to have the agent issue a new API certificate (the panel must then pair again)", e);
            }
        }
        else
        {
            var now = time.GetUtcNow();
            using var issued = state.Ca.IssueServer(state.Ca.ServerName + "-api", ["localhost", Dns.GetHostName()], [IPAddress.Loopback, IPAddress.IPv6Loopback], now, state.Ca.Certificate.NotAfter);
            using var keyOf = issued.GetECDsaPrivateKey()!;
            directory.WriteAtomically(KeyFile, keyOf.ExportPkcs8PrivateKeyPem() + "\n", FileSecrecy.Secret);
            directory.WriteAtomically(CertificateFile, issued.ExportCertificatePem() + "\n", FileSecrecy.Public);
            certificate = X509CertificateLoader.LoadPkcs12(issued.Export(X509ContentType.Pkcs12), null);
        }
        string fingerprint = CertificateFingerprint.Of(certificate);
        if (directory.TryRead(FingerprintFile) is not { } stored || Encoding.ASCII.GetString(stored).Trim() != fingerprint)
            directory.WriteAtomically(FingerprintFile, fingerprint + "\n", FileSecrecy.Public);
        return certificate;
    }
}

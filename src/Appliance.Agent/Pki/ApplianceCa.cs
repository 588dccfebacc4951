using Appliance.Contracts;
using System.Runtime.Versioning;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Appliance.Agent.State;
using Appliance.Tunnel.Control.Wire;

namespace Appliance.Agent.Pki;

/// <summary>The appliance's own single-level PKI: an EC P-256 CA, the server certificate, the tls-crypt and tls-crypt-v2 server keys; issues client certificates and signs CRLs.</summary>
/// <remarks>
/// First start creates every file; <c>ca.crt</c> is written last and marks the set complete, so a crash during creation
/// leaves no <c>ca.crt</c> and the next start creates the set again (nothing was issued from the unfinished one). A set
/// with <c>ca.crt</c> but another file missing is refused: regenerating a key there would orphan every profile. The one
/// exception is the tls-crypt-v2 server key, which sets made before it existed lack: it is created when missing
/// (<see cref="CreatedTlsCryptV2ServerKey"/>), and the client registry refuses to open if its clients' v2 keys were made
/// under another one (a lost key, not an upgrade).
/// Thread-safe: signing uses the CA key concurrently, which .NET's ECDsa allows.
/// </remarks>
[SupportedOSPlatform("linux")]
public sealed class ApplianceCa : IDisposable
{
    public const string CaCertificateFile = "ca.crt";
    public const string CaKeyFile = "ca.key";
    public const string ServerCertificateFile = "server.crt";
    public const string ServerKeyFile = "server.key";
    public const string TlsCryptKeyFile = "tls-crypt.key";
    public const string TlsCryptV2ServerKeyFile = "tls-crypt-v2-server.key";

    public static readonly TimeSpan CaLifetime = TimeSpan.FromDays(3650);
    /// <summary>notBefore is this far in the past, so a client whose clock lags a little accepts a fresh certificate.</summary>
    public static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromHours(1);

    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    private readonly X509Certificate2 _authority;

    private ApplianceCa(X509Certificate2 authority, X509Certificate2 server, StaticKey tlsCryptKey, TlsCryptV2ServerKey tlsCryptV2ServerKey, bool createdTlsCryptV2ServerKey)
    {
        _authority = authority;
        Certificate = X509CertificateLoader.LoadCertificate(authority.RawData);
        ServerCertificate = server;
        TlsCryptKey = tlsCryptKey;
        TlsCryptV2ServerKey = tlsCryptV2ServerKey;
        CreatedTlsCryptV2ServerKey = createdTlsCryptV2ServerKey;
    }

    /// <summary>The CA certificate without its key: what clients and the engine's validator trust.</summary>
    public X509Certificate2 Certificate { get; }

    public string CertificatePem => Certificate.ExportCertificatePem();

    /// <summary>The server certificate with its private key, for the control channel's TLS.</summary>
    public X509Certificate2 ServerCertificate { get; }

    /// <summary>The server certificate's CN (profiles pin it with <c>verify-x509-name</c>).</summary>
    public string ServerName => ServerCertificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);

    /// <summary>The shared tls-crypt (v1) key of older profiles.</summary>
    public StaticKey TlsCryptKey { get; }

    /// <summary>The tls-crypt-v2 server key: wraps every client's own tls-crypt key (profiles' default).</summary>
    public TlsCryptV2ServerKey TlsCryptV2ServerKey { get; }

    /// <summary>True when this start created the tls-crypt-v2 server key (first start, or the first start of a version that has it).</summary>
    public bool CreatedTlsCryptV2ServerKey { get; }

    /// <summary>Loads the CA set, or creates it when the directory has none.</summary>
    /// <param name="created">True when this call created the set (first start).</param>
    /// <exception cref="StateDirectoryException">A file of an existing set is missing or does not parse; the message names it.</exception>
    public static ApplianceCa OpenOrCreate(StateDirectory directory, ServerIdentity identity, TimeProvider time, out bool created)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(time);
        created = !directory.Exists(CaCertificateFile);
        return created ? Create(directory, identity, time) : Load(directory);
    }

    /// <summary>Issues a client certificate (KU digitalSignature, EKU clientAuth, CN = <paramref name="name"/>) for a fresh P-256 key.</summary>
    /// <returns>The certificate with its private key.</returns>
    internal X509Certificate2 IssueClient(string name, byte[] serialNumber, DateTimeOffset now, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = LeafRequest(_authority, name, key, ClientAuthOid);
        using var certificate = request.Create(_authority, now - ClockSkewAllowance, notAfter, serialNumber);
        return certificate.CopyWithPrivateKey(key);
    }

    /// <summary>Issues a TLS server certificate (EKU serverAuth) for a fresh P-256 key, e.g. the control API's.</summary>
    /// <returns>The certificate with its private key.</returns>
    internal X509Certificate2 IssueServer(string name, IReadOnlyList<string> dnsNames, IReadOnlyList<System.Net.IPAddress> addresses, DateTimeOffset now, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = LeafRequest(_authority, name, key, ServerAuthOid);
        request.CertificateExtensions.Add(SubjectAlternativeNames(new ServerIdentity { Name = name, DnsNames = dnsNames, Addresses = addresses }));
        using var certificate = request.Create(_authority, now - ClockSkewAllowance, notAfter, NewSerialNumber());
        return certificate.CopyWithPrivateKey(key);
    }

    /// <summary>Signs a CRL over <paramref name="builder"/>'s entries.</summary>
    internal byte[] SignRevocationList(CertificateRevocationListBuilder builder, BigInteger number, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate) =>
        builder.Build(_authority, number, nextUpdate, HashAlgorithmName.SHA256, rsaSignaturePadding: null, thisUpdate);

    /// <summary>A random positive 16-byte serial, minimally encoded (first byte 0x40-0x7F), as RFC 5280 §4.1.2.2 asks.</summary>
    internal static byte[] NewSerialNumber()
    {
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x3F) | 0x40);
        return serial;
    }

    public void Dispose()
    {
        _authority.Dispose();
        Certificate.Dispose();
        ServerCertificate.Dispose();
        TlsCryptKey.Dispose();
        TlsCryptV2ServerKey.Dispose();
    }

    private static ApplianceCa Create(StateDirectory directory, ServerIdentity identity, TimeProvider time)
    {
        if (ClientName.Check(identity.Name) is { } problem)
            throw new ArgumentException("server " + problem, nameof(identity));
        DateTimeOffset now = time.GetUtcNow();
        DateTimeOffset notAfter = now + CaLifetime;

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest(CommonName(identity.Name + " CA"), caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(X509BasicConstraintsExtension.CreateForCertificateAuthority(pathLengthConstraint: 0));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, critical: false));
        var authority = caRequest.CreateSelfSigned(now - ClockSkewAllowance, notAfter);

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = LeafRequest(authority, identity.Name, serverKey, ServerAuthOid);
        serverRequest.CertificateExtensions.Add(SubjectAlternativeNames(identity));
        using var serverPublic = serverRequest.Create(authority, now - ClockSkewAllowance, notAfter, NewSerialNumber());
        var server = serverPublic.CopyWithPrivateKey(serverKey);
        var tlsCrypt = StaticKey.Generate();
        var tlsCryptV2 = TlsCryptV2ServerKey.Generate();

        // ca.crt last: it marks the set complete (see remarks).
        directory.WriteAtomically(CaKeyFile, caKey.ExportPkcs8PrivateKeyPem() + "\n", FileSecrecy.Secret);
        directory.WriteAtomically(ServerKeyFile, serverKey.ExportPkcs8PrivateKeyPem() + "\n", FileSecrecy.Secret);
        directory.WriteAtomically(ServerCertificateFile, server.ExportCertificatePem() + "\n", FileSecrecy.Public);
        directory.WriteAtomically(TlsCryptKeyFile, tlsCrypt.ToFileText(), FileSecrecy.Secret);
        directory.WriteAtomically(TlsCryptV2ServerKeyFile, tlsCryptV2.ToPemText(), FileSecrecy.Secret);
        directory.WriteAtomically(CaCertificateFile, authority.ExportCertificatePem() + "\n", FileSecrecy.Public);
        return new ApplianceCa(authority, server, tlsCrypt, tlsCryptV2, createdTlsCryptV2ServerKey: true);
    }

    private static ApplianceCa Load(StateDirectory directory)
    {
        var authority = LoadPair(directory, CaCertificateFile, CaKeyFile);
        var server = LoadPair(directory, ServerCertificateFile, ServerKeyFile);
        string tlsCryptText = ReadText(directory, TlsCryptKeyFile);
        var parse = StaticKey.TryParse(tlsCryptText, out var tlsCrypt);
        if (tlsCrypt is null)
            throw Broken(directory, TlsCryptKeyFile, $"is not an OpenVPN static key ({parse})");
        var tlsCryptV2 = LoadOrCreateTlsCryptV2ServerKey(directory, out bool createdV2);
        return new ApplianceCa(authority, server, tlsCrypt, tlsCryptV2, createdV2);
    }

    private static TlsCryptV2ServerKey LoadOrCreateTlsCryptV2ServerKey(StateDirectory directory, out bool created)
    {
        created = !directory.Exists(TlsCryptV2ServerKeyFile);
        if (created)
        {
            // A set from before tls-crypt-v2: no profile can depend on a key that never existed.
            var generated = TlsCryptV2ServerKey.Generate();
            directory.WriteAtomically(TlsCryptV2ServerKeyFile, generated.ToPemText(), FileSecrecy.Secret);
            return generated;
        }
        var parse = TlsCryptV2ServerKey.TryParse(ReadText(directory, TlsCryptV2ServerKeyFile), out var key);
        return key ?? throw Broken(directory, TlsCryptV2ServerKeyFile, $"is not an OpenVPN tls-crypt-v2 server key ({parse})");
    }

    private static X509Certificate2 LoadPair(StateDirectory directory, string certificateFile, string keyFile)
    {
        string certificatePem = ReadText(directory, certificateFile);
        string keyPem = ReadText(directory, keyFile);
        try
        {
            return X509Certificate2.CreateFromPem(certificatePem, keyPem);
        }
        catch (CryptographicException e)
        {
            throw Broken(directory, certificateFile, $"and '{keyFile}' do not load as a certificate with its EC key ({e.Message})");
        }
    }

    private static string ReadText(StateDirectory directory, string name) =>
        directory.TryRead(name) is { } bytes
            ? Encoding.UTF8.GetString(bytes)
            : throw Broken(directory, name, "is missing");

    private static StateDirectoryException Broken(StateDirectory directory, string name, string problem) =>
        new($"'{directory.PathOf(name)}' {problem}, but '{CaCertificateFile}' exists: restore the file from a backup, or move '{directory.FullPath}' away to start a new CA (every client profile must then be issued again)");

    private static CertificateRequest LeafRequest(X509Certificate2 authority, string commonName, ECDsa key, string extendedKeyUsageOid)
    {
        var request = new CertificateRequest(CommonName(commonName), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(extendedKeyUsageOid)], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        return request;
    }

    private static X500DistinguishedName CommonName(string name)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(name);
        return builder.Build();
    }

    private static X509Extension SubjectAlternativeNames(ServerIdentity identity)
    {
        var names = new SubjectAlternativeNameBuilder();
        if (Uri.CheckHostName(identity.Name) == UriHostNameType.Dns)
            names.AddDnsName(identity.Name);
        foreach (string dns in identity.DnsNames)
            names.AddDnsName(dns);
        foreach (var address in identity.Addresses)
            names.AddIpAddress(address);
        return names.Build();
    }
}

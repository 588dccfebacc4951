using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Tunnel.Control.Tls;

/// <summary>A parsed X.509 CRL whose signature was verified against our CA: the serial numbers it revokes.</summary>
/// <remarks>
/// Immutable; reloading means parsing a new one and swapping it in (<see cref="ClientCertificateValidator.RevocationList"/>).
/// .NET 10 can build CRLs (<see cref="CertificateRevocationListBuilder"/>) but has no CRL reader: <c>Load</c> returns a
/// builder with no way to list or look up entries and does not check the signature, and on Linux <see cref="X509Chain"/>
/// takes revocation data only from CRL distribution points or its own per-user cache directory, not from an object
/// we hold. So this type reads RFC 5280 §5.1 with <see cref="AsnReader"/>.
/// </remarks>
public sealed class CertificateRevocationList
{
    private const string OidEcdsaSha256 = "1.2.840.10045.4.3.2";
    private const string OidEcdsaSha384 = "1.2.840.10045.4.3.3";
    private const string OidEcdsaSha512 = "1.2.840.10045.4.3.4";
    private const string OidRsaSha256 = "1.2.840.113549.1.1.11";
    private const string OidRsaSha384 = "1.2.840.113549.1.1.12";
    private const string OidRsaSha512 = "1.2.840.113549.1.1.13";

    private readonly HashSet<string> _revokedSerials;

    private CertificateRevocationList(X500DistinguishedName issuer, DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate, HashSet<string> revokedSerials)
    {
        Issuer = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        _revokedSerials = revokedSerials;
    }

    public X500DistinguishedName Issuer { get; }
    public DateTimeOffset ThisUpdate { get; }
    public DateTimeOffset? NextUpdate { get; }
    public int Count => _revokedSerials.Count;

    /// <summary>True when the CA's next CRL is overdue; the list still applies (an old list is better than none).</summary>
    public bool IsStale(DateTimeOffset now) => NextUpdate is { } next && now > next;

    /// <summary>True when the certificate's serial number is listed. The caller has checked that the certificate was issued by <see cref="Issuer"/>.</summary>
    public bool IsRevoked(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return _revokedSerials.Contains(Convert.ToHexString(certificate.SerialNumberBytes.Span));
    }

    /// <summary>Parses a DER or PEM ("X509 CRL") list and verifies it was signed by <paramref name="issuer"/>.</summary>
    /// <param name="error">Why the list was refused, naming the problem; null on success.</param>
    public static bool TryLoad(ReadOnlySpan<byte> derOrPem, X509Certificate2 issuer, out CertificateRevocationList? revocationList, out string? error)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        revocationList = null;
        byte[] der;
        if (derOrPem.Length > 0 && derOrPem[0] == 0x30)
        {
            der = derOrPem.ToArray();
        }
        else
        {
            var text = System.Text.Encoding.ASCII.GetString(derOrPem);
            if (!PemEncoding.TryFind(text, out var fields) || text[fields.Label] != "X509 CRL")
            {
                error = "not a DER CRL and no PEM block labelled 'X509 CRL' found";
                return false;
            }
            der = Convert.FromBase64String(text[fields.Base64Data]);
        }
        try
        {
            return TryParse(der, issuer, out revocationList, out error);
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            error = "CRL does not parse as RFC 5280 DER: " + e.Message;
            return false;
        }
    }

    private static bool TryParse(byte[] der, X509Certificate2 issuer, out CertificateRevocationList? revocationList, out string? error)
    {
        revocationList = null;
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var certificateList = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        ReadOnlyMemory<byte> tbsEncoded = certificateList.ReadEncodedValue();
        string signatureAlgorithm = ReadAlgorithmOid(certificateList);
        byte[] signature = certificateList.ReadBitString(out int unusedBits);
        certificateList.ThrowIfNotEmpty();
        if (unusedBits != 0)
        {
            error = "CRL signature bit string has unused bits";
            return false;
        }

        if (!VerifySignature(issuer, signatureAlgorithm, tbsEncoded.Span, signature, out error))
            return false;

        var tbs = new AsnReader(tbsEncoded, AsnEncodingRules.DER).ReadSequence();
        if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            tbs.ReadInteger();
        string innerAlgorithm = ReadAlgorithmOid(tbs);
        if (innerAlgorithm != signatureAlgorithm)
        {
            error = $"CRL names two signature algorithms ({innerAlgorithm}, {signatureAlgorithm})";
            return false;
        }
        var issuerName = new X500DistinguishedName(tbs.ReadEncodedValue().Span);
        if (!issuerName.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData))
        {
            error = $"CRL issuer '{issuerName.Name}' is not the CA '{issuer.Subject}'";
            return false;
        }
        DateTimeOffset thisUpdate = ReadTime(tbs);
        DateTimeOffset? nextUpdate = null;
        if (tbs.HasData && IsTime(tbs.PeekTag()))
            nextUpdate = ReadTime(tbs);

        var serials = new HashSet<string>(StringComparer.Ordinal);
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var entries = tbs.ReadSequence();
            while (entries.HasData)
            {
                var entry = entries.ReadSequence();
                serials.Add(Convert.ToHexString(entry.ReadIntegerBytes().Span));
            }
        }
        revocationList = new CertificateRevocationList(issuerName, thisUpdate, nextUpdate, serials);
        error = null;
        return true;
    }

    private static bool VerifySignature(X509Certificate2 issuer, string algorithm, ReadOnlySpan<byte> signed, byte[] signature, out string? error)
    {
        HashAlgorithmName? hash = algorithm switch
        {
            OidEcdsaSha256 or OidRsaSha256 => HashAlgorithmName.SHA256,
            OidEcdsaSha384 or OidRsaSha384 => HashAlgorithmName.SHA384,
            OidEcdsaSha512 or OidRsaSha512 => HashAlgorithmName.SHA512,
            _ => null,
        };
        if (hash is null)
        {
            error = $"CRL signature algorithm {algorithm} is not supported (ECDSA or RSA PKCS#1 with SHA-2 are)";
            return false;
        }
        bool valid;
        if (algorithm is OidEcdsaSha256 or OidEcdsaSha384 or OidEcdsaSha512)
        {
            using var key = issuer.GetECDsaPublicKey();
            valid = key is not null && key.VerifyData(signed, signature, hash.Value, DSASignatureFormat.Rfc3279DerSequence);
        }
        else
        {
            using var key = issuer.GetRSAPublicKey();
            valid = key is not null && key.VerifyData(signed, signature, hash.Value, RSASignaturePadding.Pkcs1);
        }
        error = valid ? null : $"CRL signature does not verify with the key of CA '{issuer.Subject}'";
        return valid;
    }

    private static string ReadAlgorithmOid(AsnReader reader)
    {
        var algorithm = reader.ReadSequence();
        string oid = algorithm.ReadObjectIdentifier();
        // Parameters (NULL for RSA, absent for ECDSA) carry nothing we need.
        return oid;
    }

    private static bool IsTime(Asn1Tag tag) =>
        tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Contracts;

/// <summary>SHA-256 certificate fingerprints as operators see them: 32 colon-separated upper-case hex bytes.</summary>
public static class CertificateFingerprint
{
    public static string Of(X509Certificate certificate) => Format(SHA256.HashData(certificate.GetRawCertData()));

    public static string Format(ReadOnlySpan<byte> sha256) => Convert.ToHexString(sha256).Chunk2();

    /// <summary>Accepts hex with or without ':' / spaces, any case; returns the canonical form, or null when it is not 32 bytes of hex.</summary>
    public static string? TryNormalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        Span<char> hex = stackalloc char[64];
        int n = 0;
        foreach (char c in text)
        {
            if (c is ':' or ' ' or '-')
                continue;
            if (!char.IsAsciiHexDigit(c) || n == 64)
                return null;
            hex[n++] = char.ToUpperInvariant(c);
        }
        return n == 64 ? new string(hex).Chunk2() : null;
    }

    public static string Normalize(string text) =>
        TryNormalize(text) ?? throw new FormatException("a SHA-256 fingerprint is 32 bytes of hex, e.g. AB:CD:...");

    private static string Chunk2(this string hex) => string.Join(':', hex.Chunk(2).Select(c => new string(c)));
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Proxmox.Tls;

/// <summary>SHA-256 certificate fingerprints as PVE shows them (<c>AB:CD:…</c>), compared case-insensitively without colons.</summary>
public static class CertificateFingerprint
{
    /// <summary>The SHA-256 fingerprint of a certificate in PVE's colon-separated upper-case form.</summary>
    public static string Of(X509Certificate2 certificate)
        => Format(SHA256.HashData(certificate.RawData));

    /// <summary>Formats 32 hash bytes as <c>AB:CD:…</c>.</summary>
    public static string Format(ReadOnlySpan<byte> sha256)
    {
        var hex = Convert.ToHexString(sha256);
        var parts = new string[hex.Length / 2];
        for (var i = 0; i < parts.Length; i++)
            parts[i] = hex.Substring(i * 2, 2);
        return string.Join(':', parts);
    }

    /// <summary>Reduces a fingerprint to 64 upper-case hex digits; false when it is not a SHA-256 fingerprint.</summary>
    public static bool TryNormalize(string? text, out string normalized)
    {
        normalized = "";
        if (string.IsNullOrWhiteSpace(text))
            return false;
        var hex = text.Trim().Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        if (hex.Length != 64 || !hex.All(Uri.IsHexDigit))
            return false;
        normalized = hex;
        return true;
    }

    /// <summary>True when both name the same SHA-256 fingerprint, ignoring case and colons.</summary>
    public static bool AreEqual(string? left, string? right)
        => TryNormalize(left, out var a) && TryNormalize(right, out var b) && string.Equals(a, b, StringComparison.Ordinal);
}

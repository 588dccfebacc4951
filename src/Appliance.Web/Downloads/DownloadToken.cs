using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Appliance.Web.Downloads;

/// <summary>
/// The secret of a one-time download link: 256 random bits, URL-safe. Only its SHA-256 is stored, so the database (or a
/// backup of it) cannot be turned back into working links.
/// </summary>
public static class DownloadToken
{
    public const int Bytes = 32;

    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(Bytes));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>True for something shaped like a token (so junk is refused before touching the database).</summary>
    public static bool IsWellFormed(string? token) =>
        token is { Length: 43 } && Base64Url.IsValid(token, out int decoded) && decoded == Bytes;
}

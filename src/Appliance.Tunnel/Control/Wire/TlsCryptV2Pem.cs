using System.Security.Cryptography;
using System.Text;

namespace Appliance.Tunnel.Control.Wire;

/// <summary>The PEM framing of OpenVPN's tls-crypt-v2 key files (OpenSSL's <c>PEM_write_bio</c>: no headers, 64 columns).</summary>
internal static class TlsCryptV2Pem
{
    public static TlsCryptV2KeyParseResult TryDecode(ReadOnlySpan<char> text, string label, out byte[]? bytes)
    {
        bytes = null;
        // PemEncoding finds the first well-formed block of any label; keep looking until ours.
        while (PemEncoding.TryFind(text, out PemFields fields))
        {
            if (text[fields.Label].SequenceEqual(label))
            {
                byte[] decoded = new byte[fields.DecodedDataLength];
                if (!Convert.TryFromBase64Chars(text[fields.Base64Data], decoded, out int written) || written != decoded.Length)
                {
                    CryptographicOperations.ZeroMemory(decoded);
                    return TlsCryptV2KeyParseResult.InvalidBase64;
                }
                bytes = decoded;
                return TlsCryptV2KeyParseResult.Ok;
            }
            text = text[fields.Location.End..];
        }
        return TlsCryptV2KeyParseResult.MissingPemBlock;
    }

    public static string Encode(string label, ReadOnlySpan<byte> bytes)
    {
        char[] pem = PemEncoding.Write(label, bytes);
        try
        {
            return new StringBuilder(pem.Length + 1).Append(pem).Append('\n').ToString();
        }
        finally
        {
            Array.Clear(pem);
        }
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Appliance.EndToEnd.Tests.Support;

/// <summary>Generates an OpenVPN static key file, as `openvpn --genkey secret` writes it (usable for tls-crypt and tls-auth).</summary>
public static class TlsCryptKey
{
    /// <summary>256 random bytes as 16 lines of 32 hex digits between the V1 markers (openvpn-protocol.md §2.1).</summary>
    public static string Generate()
    {
        byte[] key = RandomNumberGenerator.GetBytes(256);
        var text = new StringBuilder();
        text.Append("#\n# 2048 bit OpenVPN static key\n#\n-----BEGIN OpenVPN Static key V1-----\n");
        for (int line = 0; line < 16; line++)
            text.Append(Convert.ToHexStringLower(key, line * 16, 16)).Append('\n');
        text.Append("-----END OpenVPN Static key V1-----\n");
        return text.ToString();
    }
}

using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using Appliance.Agent.Pki;

namespace Appliance.Agent.Api;

/// <summary>Who may call the API: the holder of the pairing token, or of this run's local-access token.</summary>
/// <remarks>Both are compared as SHA-256 hashes in fixed time; neither token is kept in clear beyond the local file.</remarks>
[SupportedOSPlatform("linux")]
public sealed class ApiAccess(PairingToken pairing, LocalAccess local)
{
    public PairingToken Pairing => pairing;

    /// <summary>True when <paramref name="presented"/> is the pairing token or the local-access token.</summary>
    public bool Verify(string? presented)
    {
        if (string.IsNullOrEmpty(presented))
            return false;
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        // Both comparisons always run: the time taken does not tell which token was close.
        bool isPairing = CryptographicOperations.FixedTimeEquals(hash, pairing.Hash);
        bool isLocal = CryptographicOperations.FixedTimeEquals(hash, local.TokenHash);
        return isPairing | isLocal;
    }
}

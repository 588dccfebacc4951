using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using Appliance.Agent.Pki;

namespace Appliance.Agent.Api;

/// <summary>Who may call the API: the holder of the pairing token, of this run's local-access token, or of the metrics token.</summary>
/// <remarks>All are compared as SHA-256 hashes in fixed time; no token is kept in clear beyond its file.</remarks>
[SupportedOSPlatform("linux")]
public sealed class ApiAccess(PairingToken pairing, LocalAccess local, MetricsToken metrics)
{
    public PairingToken Pairing => pairing;

    /// <summary>True when <paramref name="presented"/> is any of the tokens.</summary>
    public bool Verify(string? presented) => Identify(presented) is not null;

    /// <summary>Which token <paramref name="presented"/> is, or null.</summary>
    public ApiToken? Identify(string? presented)
    {
        if (string.IsNullOrEmpty(presented))
            return null;
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        // Every comparison always runs: the time taken does not tell which token was close.
        bool isPairing = CryptographicOperations.FixedTimeEquals(hash, pairing.Hash);
        bool isLocal = CryptographicOperations.FixedTimeEquals(hash, local.TokenHash);
        bool isMetrics = CryptographicOperations.FixedTimeEquals(hash, metrics.Hash);
        return isPairing ? ApiToken.Pairing : isLocal ? ApiToken.Local : isMetrics ? ApiToken.Metrics : null;
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Appliance.Contracts;

/// <summary>
/// Pairing without exposing the token to a man in the middle: before the panel ever sends the token, it sends a
/// random nonce; the agent answers HMAC-SHA256(key = SHA-256(token), nonce ‖ fingerprint of the certificate it
/// serves). The panel computes the same over the certificate it saw: equal means the agent it reaches holds the
/// token and no one sits in between. Then the panel pins that fingerprint.
/// </summary>
public sealed record PairingProofRequest(string Nonce);

/// <param name="Fingerprint">SHA-256 of the agent's API certificate, colon-separated upper-case hex.</param>
/// <param name="Proof">Base64 HMAC as described on <see cref="PairingProofRequest"/>.</param>
public sealed record PairingProofResponse(string Fingerprint, string Proof);

public static class PairingProofs
{
    /// <summary>The proof for a token hash (SHA-256 of the token's UTF-8 bytes), a nonce and a certificate fingerprint.</summary>
    public static string Compute(ReadOnlySpan<byte> tokenHash, string nonce, string fingerprint)
    {
        byte[] message = Encoding.UTF8.GetBytes(nonce + "\n" + CertificateFingerprint.Normalize(fingerprint));
        return Convert.ToBase64String(HMACSHA256.HashData(tokenHash, message));
    }

    public static byte[] HashToken(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public static bool Verify(string token, string nonce, string fingerprintSeen, string proof)
    {
        string expected = Compute(HashToken(token), nonce, fingerprintSeen);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(proof));
    }

    public static string NewNonce() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
}

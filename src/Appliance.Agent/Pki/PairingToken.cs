using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using Appliance.Agent.State;

namespace Appliance.Agent.Pki;

/// <summary>The secret the panel presents to pair with this agent: 32 random bytes, base64url; only its SHA-256 is stored.</summary>
/// <remarks>
/// The token has 256 bits of entropy, so an unsalted hash cannot be searched; a stolen state directory does not reveal it.
/// The token itself exists only in the return value of <see cref="OpenOrCreate"/> at first start (shown once) and of
/// <see cref="Reset"/>. <see cref="Verify"/> compares in constant time. Thread-safe.
/// </remarks>
[SupportedOSPlatform("linux")]
public sealed class PairingToken
{
    public const string FileName = "pairing-token.sha256";
    private const int TokenBytes = 32;

    private readonly StateDirectory _directory;
    private byte[] _hash;

    private PairingToken(StateDirectory directory, byte[] hash)
    {
        _directory = directory;
        _hash = hash;
    }

    /// <summary>Loads the stored hash, or creates a token and stores its hash.</summary>
    /// <param name="newToken">The token when one was created now (show it once), else null.</param>
    public static PairingToken OpenOrCreate(StateDirectory directory, out string? newToken)
    {
        ArgumentNullException.ThrowIfNull(directory);
        newToken = null;
        if (directory.TryRead(FileName) is { } stored)
        {
            string hex = Encoding.ASCII.GetString(stored).Trim();
            if (hex.Length != SHA256.HashSizeInBytes * 2 || !IsHex(hex))
                throw new StateDirectoryException($"'{directory.PathOf(FileName)}' does not hold a SHA-256 in hex; delete it and restart the agent to get a new pairing token (the panel must then pair again)");
            return new PairingToken(directory, Convert.FromHexString(hex));
        }
        var token = new PairingToken(directory, []);
        newToken = token.Reset();
        return token;
    }

    /// <summary>True when <paramref name="presented"/> is the token; constant time in the token's content.</summary>
    public bool Verify(string? presented)
    {
        if (string.IsNullOrEmpty(presented))
            return false;
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        return CryptographicOperations.FixedTimeEquals(hash, Volatile.Read(ref _hash));
    }

    /// <summary>Replaces the token (the old one stops working once this returns) and returns the new one: show it once, never log it.</summary>
    public string Reset()
    {
        string token = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(TokenBytes));
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        _directory.WriteAtomically(FileName, Convert.ToHexStringLower(hash) + "\n", FileSecrecy.Secret);
        Volatile.Write(ref _hash, hash);
        return token;
    }

    /// <summary>Takes <paramref name="token"/> as the pairing token (a preset written by the deploy flow); stores only its hash.</summary>
    public void Adopt(string token)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        _directory.WriteAtomically(FileName, Convert.ToHexStringLower(hash) + "\n", FileSecrecy.Secret);
        Volatile.Write(ref _hash, hash);
    }

    /// <summary>The stored SHA-256 of the token: the key of the pairing proof (<see cref="Contracts.PairingProofs"/>).</summary>
    public ReadOnlySpan<byte> Hash => Volatile.Read(ref _hash);

    private static bool IsHex(string text)
    {
        foreach (char c in text)
            if (!char.IsAsciiHexDigit(c))
                return false;
        return true;
    }

    public override string ToString() => "pairing token (hash stored)";
}

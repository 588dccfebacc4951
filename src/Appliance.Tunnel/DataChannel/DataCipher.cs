namespace Appliance.Tunnel.DataChannel;

/// <summary>AEAD data-channel ciphers a 2.6 client negotiates (its default <c>data-ciphers</c>).</summary>
public enum DataCipher : byte
{
    Aes256Gcm = 1,
    Aes128Gcm,
    ChaCha20Poly1305,
}

/// <summary>OpenVPN names and sizes of <see cref="DataCipher"/>.</summary>
public static class DataCiphers
{
    /// <summary>The name used in <c>IV_CIPHERS</c>, <c>data-ciphers</c> and the pushed <c>cipher</c>.</summary>
    public static string Name(DataCipher cipher) => cipher switch
    {
        DataCipher.Aes256Gcm => "AES-256-GCM",
        DataCipher.Aes128Gcm => "AES-128-GCM",
        DataCipher.ChaCha20Poly1305 => "CHACHA20-POLY1305",
        _ => throw new ArgumentOutOfRangeException(nameof(cipher), cipher, "unknown data cipher"),
    };

    /// <summary>Key bytes taken from the 64-byte cipher slice of the key block.</summary>
    public static int KeySize(DataCipher cipher) => cipher == DataCipher.Aes128Gcm ? 16 : 32;

    /// <summary>Parses an OpenVPN cipher name, case-insensitively as 2.6 does.</summary>
    public static bool TryParse(ReadOnlySpan<char> name, out DataCipher cipher)
    {
        if (name.Equals("AES-256-GCM", StringComparison.OrdinalIgnoreCase))
        {
            cipher = DataCipher.Aes256Gcm;
            return true;
        }
        if (name.Equals("AES-128-GCM", StringComparison.OrdinalIgnoreCase))
        {
            cipher = DataCipher.Aes128Gcm;
            return true;
        }
        if (name.Equals("CHACHA20-POLY1305", StringComparison.OrdinalIgnoreCase))
        {
            cipher = DataCipher.ChaCha20Poly1305;
            return true;
        }
        cipher = default;
        return false;
    }
}

using System.Security.Cryptography;

namespace Appliance.Tunnel.DataChannel;

/// <summary>
/// OpenVPN's legacy data-key derivation (ssl.c generate_key_expansion_openvpn_prf): the TLS 1.0 PRF
/// (P_MD5 ⊕ P_SHA1) over the key-method-2 randoms and both session ids.
/// </summary>
/// <remarks>Pure functions, run once per key exchange (they allocate only their HMAC instances).</remarks>
public static class OpenVpnPrf
{
    public const int PreMasterSize = 48;
    public const int RandomSize = 32;
    public const int MasterSecretSize = 48;
    public const int SessionIdSize = 8;

    private static ReadOnlySpan<byte> MasterLabel => "OpenVPN master secret"u8;
    private static ReadOnlySpan<byte> ExpansionLabel => "OpenVPN key expansion"u8;

    /// <summary>
    /// The 256-byte key block: <c>master = PRF(pre_master, "OpenVPN master secret" ‖ c.random1 ‖ s.random1, 48)</c>,
    /// <c>block = PRF(master, "OpenVPN key expansion" ‖ c.random2 ‖ s.random2 ‖ client sid ‖ server sid, 256)</c>.
    /// </summary>
    public static void DeriveKeyBlock(
        ReadOnlySpan<byte> clientPreMaster, ReadOnlySpan<byte> clientRandom1, ReadOnlySpan<byte> serverRandom1,
        ReadOnlySpan<byte> clientRandom2, ReadOnlySpan<byte> serverRandom2,
        ulong clientSessionId, ulong serverSessionId, Span<byte> keyBlock)
    {
        Require(clientPreMaster, PreMasterSize, nameof(clientPreMaster));
        Require(clientRandom1, RandomSize, nameof(clientRandom1));
        Require(serverRandom1, RandomSize, nameof(serverRandom1));
        Require(clientRandom2, RandomSize, nameof(clientRandom2));
        Require(serverRandom2, RandomSize, nameof(serverRandom2));
        Require(keyBlock, KeyBlock.Size, nameof(keyBlock));

        Span<byte> master = stackalloc byte[MasterSecretSize];
        Span<byte> seed = stackalloc byte[ExpansionLabel.Length + 2 * RandomSize + 2 * SessionIdSize];

        MasterLabel.CopyTo(seed);
        clientRandom1.CopyTo(seed[MasterLabel.Length..]);
        serverRandom1.CopyTo(seed[(MasterLabel.Length + RandomSize)..]);
        Tls10Prf(clientPreMaster, seed[..(MasterLabel.Length + 2 * RandomSize)], master);

        ExpansionLabel.CopyTo(seed);
        int offset = ExpansionLabel.Length;
        clientRandom2.CopyTo(seed[offset..]);
        serverRandom2.CopyTo(seed[(offset + RandomSize)..]);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(seed[(offset + 2 * RandomSize)..], clientSessionId);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(seed[(offset + 2 * RandomSize + SessionIdSize)..], serverSessionId);
        Tls10Prf(master, seed, keyBlock);
        CryptographicOperations.ZeroMemory(master);
    }

    /// <summary>TLS 1.0/1.1 PRF (RFC 2246 §5): <c>P_MD5(S1, seed) ⊕ P_SHA1(S2, seed)</c>, halves overlapping by one byte if odd.</summary>
    /// <param name="seed">Label ‖ seed, already concatenated.</param>
    public static void Tls10Prf(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> seed, Span<byte> output)
    {
        int half = (secret.Length + 1) / 2;
        ReadOnlySpan<byte> s1 = secret[..half];
        ReadOnlySpan<byte> s2 = secret[(secret.Length - half)..];
        output.Clear();
        XorPHash(HashAlgorithmName.MD5, s1, seed, output);
        XorPHash(HashAlgorithmName.SHA1, s2, seed, output);
    }

    private static void XorPHash(HashAlgorithmName algorithm, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> seed, Span<byte> output)
    {
        const int MaxHash = 20;
        Span<byte> a = stackalloc byte[MaxHash];
        Span<byte> block = stackalloc byte[MaxHash];
        using IncrementalHash hmac = IncrementalHash.CreateHMAC(algorithm, secret);
        // A(1) = HMAC(secret, seed)
        hmac.AppendData(seed);
        int size = hmac.GetHashAndReset(a);
        int done = 0;
        while (done < output.Length)
        {
            hmac.AppendData(a[..size]);
            hmac.AppendData(seed);
            hmac.GetHashAndReset(block);
            int take = Math.Min(size, output.Length - done);
            for (int i = 0; i < take; i++)
            {
                output[done + i] ^= block[i];
            }
            done += take;
            hmac.AppendData(a[..size]);
            hmac.GetHashAndReset(a);
        }
        CryptographicOperations.ZeroMemory(a);
        CryptographicOperations.ZeroMemory(block);
    }

    private static void Require(ReadOnlySpan<byte> value, int size, string name)
    {
        if (value.Length != size)
        {
            throw new ArgumentException($"{name} must be {size} bytes, got {value.Length}", name);
        }
    }

}

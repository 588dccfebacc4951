using System.Security.Cryptography;

namespace Appliance.Tunnel.DataChannel;

/// <summary>
/// The 256-byte data-channel key block (PRF or EKM output), laid out like a static key:
/// c→s cipher key at 0, c→s implicit IV at 64..71, s→c cipher key at 128, s→c implicit IV at 192..199.
/// </summary>
/// <remarks>Immutable; <see cref="Dispose"/> zeroes it; <see cref="ToString"/> shows no key material.</remarks>
public sealed class KeyBlock : IDisposable
{
    public const int Size = 256;
    public const int ImplicitIvSize = 8;
    private const int ClientToServerCipher = 0;
    private const int ClientToServerIv = 64;
    private const int ServerToClientCipher = 128;
    private const int ServerToClientIv = 192;

    private readonly byte[] _bytes;

    private KeyBlock(byte[] bytes) => _bytes = bytes;

    public static KeyBlock FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"a key block is {Size} bytes, got {bytes.Length}", nameof(bytes));
        }
        return new KeyBlock(bytes.ToArray());
    }

    /// <summary>Derives the block with <see cref="OpenVpnPrf.DeriveKeyBlock"/>.</summary>
    public static KeyBlock FromPrf(
        ReadOnlySpan<byte> clientPreMaster, ReadOnlySpan<byte> clientRandom1, ReadOnlySpan<byte> serverRandom1,
        ReadOnlySpan<byte> clientRandom2, ReadOnlySpan<byte> serverRandom2, ulong clientSessionId, ulong serverSessionId)
    {
        byte[] bytes = new byte[Size];
        OpenVpnPrf.DeriveKeyBlock(clientPreMaster, clientRandom1, serverRandom1, clientRandom2, serverRandom2,
            clientSessionId, serverSessionId, bytes);
        return new KeyBlock(bytes);
    }

    public ReadOnlySpan<byte> Bytes => _bytes;

    public ReadOnlySpan<byte> ClientToServerKey(DataCipher cipher) => _bytes.AsSpan(ClientToServerCipher, DataCiphers.KeySize(cipher));

    public ReadOnlySpan<byte> ClientToServerImplicitIv => _bytes.AsSpan(ClientToServerIv, ImplicitIvSize);

    public ReadOnlySpan<byte> ServerToClientKey(DataCipher cipher) => _bytes.AsSpan(ServerToClientCipher, DataCiphers.KeySize(cipher));

    public ReadOnlySpan<byte> ServerToClientImplicitIv => _bytes.AsSpan(ServerToClientIv, ImplicitIvSize);

    public void Dispose() => CryptographicOperations.ZeroMemory(_bytes);

    public override string ToString() => "OpenVPN data key block (256 bytes)";
}

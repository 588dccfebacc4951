using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Appliance.Tunnel.Control.Wire;

/// <summary>
/// AES-CTR as OpenSSL does it (the whole 16-byte IV is one big-endian counter), built from ECB over counter
/// blocks because .NET has no CTR mode. One instance per key; not thread-safe.
/// </summary>
internal sealed class AesCounterMode : IDisposable
{
    private const int BlockSize = 16;
    private const int BlocksPerChunk = 16;
    private readonly Aes _aes;

    public AesCounterMode(ReadOnlySpan<byte> key)
    {
        _aes = Aes.Create();
        _aes.Key = key.ToArray();
    }

    /// <summary>Replaces the key (a tls-crypt-v2 opening is checked under each client's own key by one reused instance).</summary>
    public void SetKey(ReadOnlySpan<byte> key) => _aes.SetKey(key);

    /// <summary>XORs <paramref name="input"/> with the key stream from <paramref name="iv"/> into <paramref name="output"/> (same length; may be the same span).</summary>
    public void Transform(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        Span<byte> counters = stackalloc byte[BlockSize * BlocksPerChunk];
        Span<byte> stream = stackalloc byte[BlockSize * BlocksPerChunk];
        UInt128 counter = BinaryPrimitives.ReadUInt128BigEndian(iv);
        int done = 0;
        while (done < input.Length)
        {
            int chunk = Math.Min(input.Length - done, counters.Length);
            int blocks = (chunk + BlockSize - 1) / BlockSize;
            for (int i = 0; i < blocks; i++)
            {
                BinaryPrimitives.WriteUInt128BigEndian(counters.Slice(i * BlockSize, BlockSize), counter);
                counter++;
            }
            _aes.EncryptEcb(counters[..(blocks * BlockSize)], stream, PaddingMode.None);
            for (int i = 0; i < chunk; i++)
            {
                output[done + i] = (byte)(input[done + i] ^ stream[i]);
            }
            done += chunk;
        }
        CryptographicOperations.ZeroMemory(stream);
    }

    public void Dispose() => _aes.Dispose();
}

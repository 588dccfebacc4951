namespace Appliance.Tunnel.Tests.Support;

/// <summary>How a fuzz datagram was derived from its seed.</summary>
internal enum Mutation : byte
{
    BitFlips = 0,
    ByteOverwrite,
    Truncation,
    Extension,
    OpcodeSwap,
    /// <summary>A field the server reads before any check: session id, replay id, peer-id, ACK count, TCP length prefix.</summary>
    HeaderField,
    Splice,
    /// <summary>Zero bytes: a datagram with no payload at all.</summary>
    Empty,
}

/// <summary>Derives a datagram from a seed that is never byte-for-byte the seed (so nothing the fuzzer sends can verify),
/// deterministic for a given <see cref="Random"/>. Allocates nothing: writes into the caller's buffer.</summary>
/// <remarks>Shared with bench/Appliance.FuzzBench (linked source).</remarks>
internal static class WireMutator
{
    public const int MaxLength = 2048;

    /// <summary>Writes a mutation of <paramref name="seed"/> to <paramref name="output"/> (at least <see cref="MaxLength"/> bytes).</summary>
    public static int Mutate(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> other, Random random, Span<byte> output, out Mutation kind)
    {
        // Empty datagrams are rare on purpose: one in 512.
        int roll = random.Next(512);
        kind = roll == 0 ? Mutation.Empty : (Mutation)(roll % 7);
        int length;
        switch (kind)
        {
            case Mutation.Empty:
                return 0;
            case Mutation.Truncation:
                if (seed.Length <= 1)
                    goto default;
                length = random.Next(1, seed.Length);
                seed[..length].CopyTo(output);
                return length;
            case Mutation.Extension:
            {
                int extra = random.Next(1, Math.Min(200, MaxLength - seed.Length) + 1);
                seed.CopyTo(output);
                random.NextBytes(output.Slice(seed.Length, extra));
                return seed.Length + extra;
            }
            case Mutation.Splice:
            {
                if (seed.Length == 0 || other.Length == 0)
                    goto default;
                int cut = random.Next(1, seed.Length + 1);
                int from = random.Next(0, other.Length);
                int take = Math.Min(other.Length - from, MaxLength - cut);
                seed[..cut].CopyTo(output);
                other.Slice(from, take).CopyTo(output[cut..]);
                length = cut + take;
                break;
            }
            default:
                seed.CopyTo(output);
                length = seed.Length;
                if (length == 0)
                {
                    output[0] = (byte)random.Next(256);
                    return 1;
                }
                switch (kind)
                {
                    case Mutation.BitFlips:
                        for (int flips = random.Next(1, 9), i = 0; i < flips; i++)
                            output[random.Next(length)] ^= (byte)(1 << random.Next(8));
                        break;
                    case Mutation.ByteOverwrite:
                        output[random.Next(length)] = (byte)random.Next(256);
                        break;
                    case Mutation.OpcodeSwap:
                        output[0] = (byte)((random.Next(32) << 3) | random.Next(8));
                        break;
                    case Mutation.HeaderField:
                    {
                        // Session id / peer-id (1..8), replay id (9..16 tls-crypt; 29..36 tls-auth/SHA1), ACK count (37 tls-auth).
                        int[] fields = [1, 2, 3, 5, 9, 12, 13, 16, 29, 33, 37];
                        int at = fields[random.Next(fields.Length)];
                        if (at < length)
                            output[at] = random.Next(3) switch { 0 => 0x00, 1 => 0xFF, _ => (byte)random.Next(9, 256) };
                        break;
                    }
                }
                break;
        }
        if (length == seed.Length && output[..length].SequenceEqual(seed))
            output[random.Next(length)] ^= 0x80;
        return length;
    }
}

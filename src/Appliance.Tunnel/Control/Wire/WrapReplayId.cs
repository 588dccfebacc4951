using System.Buffers.Binary;

namespace Appliance.Tunnel.Control.Wire;

/// <summary>The 8-byte replay id of a tls-crypt / tls-auth packet: u32 counter (from 1) and u32 sender start time (unix seconds).</summary>
public readonly record struct WrapReplayId(uint Counter, uint Time)
{
    public const int Size = 8;

    public static WrapReplayId Read(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadUInt32BigEndian(source), BinaryPrimitives.ReadUInt32BigEndian(source[4..]));

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, Counter);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], Time);
    }
}

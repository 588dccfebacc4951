using System.Buffers.Binary;
using System.Globalization;

namespace Appliance.Tunnel.Switching;

/// <summary>A 48-bit MAC address held in the low bits of a <c>ulong</c>, so it is a cheap dictionary key.</summary>
public readonly record struct MacAddress(ulong Value)
{
    public static MacAddress Broadcast { get; } = new(0xFFFF_FFFF_FFFFUL);

    /// <summary>Reads 6 bytes (the caller guarantees the length).</summary>
    public static MacAddress Read(ReadOnlySpan<byte> sixBytes) =>
        new(((ulong)BinaryPrimitives.ReadUInt16BigEndian(sixBytes) << 32) | BinaryPrimitives.ReadUInt32BigEndian(sixBytes[2..]));

    public static MacAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':', '-');
        if (parts.Length != 6)
            throw new FormatException($"'{text}' is not a MAC address like 02:00:00:00:00:01");
        ulong value = 0;
        foreach (var part in parts)
            value = (value << 8) | byte.Parse(part, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return new MacAddress(value);
    }

    public bool IsGroup => ((Value >> 40) & 0x01) != 0;

    public void Write(Span<byte> sixBytes)
    {
        BinaryPrimitives.WriteUInt16BigEndian(sixBytes, (ushort)(Value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(sixBytes[2..], (uint)Value);
    }

    public override string ToString()
    {
        Span<byte> b = stackalloc byte[6];
        Write(b);
        return string.Create(CultureInfo.InvariantCulture, $"{b[0]:x2}:{b[1]:x2}:{b[2]:x2}:{b[3]:x2}:{b[4]:x2}:{b[5]:x2}");
    }
}

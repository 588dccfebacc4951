namespace Appliance.Tunnel.DataChannel;

/// <summary>The keepalive ping: a data payload of exactly these 16 bytes (ping.c).</summary>
public static class PingPacket
{
    public const int Size = 16;

    /// <summary><c>2a 18 7b f3 64 1e b4 cb 07 ed 2d 0a 98 1f c7 48</c>.</summary>
    public static ReadOnlySpan<byte> Payload => [0x2a, 0x18, 0x7b, 0xf3, 0x64, 0x1e, 0xb4, 0xcb, 0x07, 0xed, 0x2d, 0x0a, 0x98, 0x1f, 0xc7, 0x48];

    /// <summary>True if a decrypted payload is a ping (and so not a frame for the switch).</summary>
    public static bool IsPing(ReadOnlySpan<byte> payload) => payload.SequenceEqual(Payload);
}

namespace Appliance.Tunnel.DataChannel;

/// <summary>OCC message opcodes, the byte after the OCC magic (occ.h).</summary>
public enum OccOpcode : byte
{
    Request = 0,
    Reply = 1,
    MtuLoadRequest = 2,
    MtuLoad = 3,
    MtuRequest = 4,
    MtuReply = 5,
    /// <summary>The peer is exiting (explicit-exit-notify without cc-exit).</summary>
    Exit = 6,
}

/// <summary>OCC data-channel messages: payload = 16-byte magic ‖ opcode ‖ body (occ.c).</summary>
public static class Occ
{
    public const int MagicSize = 16;

    /// <summary><c>28 7f 34 6b d4 ef 7a 81 2d 56 b8 d3 af c5 45 9c</c>.</summary>
    public static ReadOnlySpan<byte> Magic => [0x28, 0x7f, 0x34, 0x6b, 0xd4, 0xef, 0x7a, 0x81, 0x2d, 0x56, 0xb8, 0xd3, 0xaf, 0xc5, 0x45, 0x9c];

    /// <summary>The 17-byte OCC EXIT payload.</summary>
    public static ReadOnlySpan<byte> ExitPayload => [0x28, 0x7f, 0x34, 0x6b, 0xd4, 0xef, 0x7a, 0x81, 0x2d, 0x56, 0xb8, 0xd3, 0xaf, 0xc5, 0x45, 0x9c, (byte)OccOpcode.Exit];

    /// <summary>Reads the opcode of a decrypted payload that starts with the OCC magic; false for anything else.</summary>
    public static bool TryReadOpcode(ReadOnlySpan<byte> payload, out OccOpcode opcode)
    {
        opcode = default;
        if (payload.Length <= MagicSize || !payload[..MagicSize].SequenceEqual(Magic))
        {
            return false;
        }
        opcode = (OccOpcode)payload[MagicSize];
        return true;
    }
}

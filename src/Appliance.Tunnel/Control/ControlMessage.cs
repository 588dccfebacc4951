using System.Text;

namespace Appliance.Tunnel.Control;

/// <summary>
/// Framing of control-channel text messages: ASCII, NUL-terminated, one TLS record per message; a record may
/// hold several NUL-separated commands, which 2.6 splits.
/// </summary>
public static class ControlMessage
{
    public const string PushRequest = "PUSH_REQUEST";
    public const string Exit = "EXIT";
    public const string Restart = "RESTART";
    /// <summary>What 2.6 sends when no data cipher is shared.</summary>
    public const string NoSharedCipher = "AUTH_FAILED,Data channel cipher negotiation failed (no shared cipher)";
    /// <summary>2.6 reads each control message into a 2048-byte buffer.</summary>
    public const int MaxMessageLength = 2048;

    /// <summary>The bytes of one message: ASCII text and the terminating NUL.</summary>
    public static byte[] Encode(string message)
    {
        byte[] bytes = new byte[Encoding.ASCII.GetByteCount(message) + 1];
        Encoding.ASCII.GetBytes(message, bytes);
        return bytes;
    }

    /// <summary>
    /// Takes the next command off <paramref name="buffer"/> (up to a NUL or the end), skipping empty ones.
    /// False when nothing is left.
    /// </summary>
    public static bool TryReadNext(ref ReadOnlySpan<byte> buffer, out ReadOnlySpan<byte> command)
    {
        while (!buffer.IsEmpty)
        {
            int nul = buffer.IndexOf((byte)0);
            command = nul >= 0 ? buffer[..nul] : buffer;
            buffer = nul >= 0 ? buffer[(nul + 1)..] : default;
            if (!command.IsEmpty)
            {
                return true;
            }
        }
        command = default;
        return false;
    }

    /// <summary>Recognises a command by its keyword (exact, or followed by ',').</summary>
    public static ControlCommand Classify(ReadOnlySpan<byte> command)
    {
        if (Is(command, "PUSH_REQUEST"u8)) return ControlCommand.PushRequest;
        if (Is(command, "PUSH_REPLY"u8)) return ControlCommand.PushReply;
        if (Is(command, "EXIT"u8)) return ControlCommand.Exit;
        if (Is(command, "RESTART"u8)) return ControlCommand.Restart;
        if (Is(command, "HALT"u8)) return ControlCommand.Halt;
        if (Is(command, "AUTH_FAILED"u8)) return ControlCommand.AuthFailed;
        if (Is(command, "AUTH_PENDING"u8)) return ControlCommand.AuthPending;
        if (Is(command, "INFO_PRE"u8)) return ControlCommand.InfoPre;
        if (Is(command, "INFO"u8)) return ControlCommand.Info;
        if (Is(command, "CR_RESPONSE"u8)) return ControlCommand.ChallengeResponse;
        return ControlCommand.Unknown;
    }

    private static bool Is(ReadOnlySpan<byte> command, ReadOnlySpan<byte> keyword) =>
        command.StartsWith(keyword) && (command.Length == keyword.Length || command[keyword.Length] == (byte)',');
}

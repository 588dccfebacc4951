using System.Buffers.Binary;
using System.Text;

namespace Appliance.Tunnel.Control;

/// <summary>
/// Key method 2, the first plaintext after the TLS handshake (ssl.c key_method_2_read/write).
/// Client: <c>0u32 ‖ 0x02 ‖ pre_master(48) ‖ random1(32) ‖ random2(32) ‖ options ‖ username ‖ password ‖ peer-info</c>.
/// Server: <c>0u32 ‖ 0x02 ‖ random1(32) ‖ random2(32) ‖ options ‖ "" ‖ "" ‖ ""</c>.
/// Strings are <c>u16 length including NUL ‖ bytes ‖ NUL</c>; the empty string is <c>0x0000</c> with no bytes.
/// </summary>
/// <remarks>Parsers never throw on input and never put secrets into results' text or exceptions.</remarks>
public static class KeyMethod2
{
    public const byte Method = 2;
    public const int PreMasterSize = 48;
    public const int RandomSize = 32;
    /// <summary>2.6's TLS_OPTIONS_LEN, NUL included.</summary>
    public const int MaxOptionsLength = 512;
    /// <summary>2.6's USER_PASS_LEN in PKCS#11 builds (Debian), NUL included.</summary>
    public const int MaxCredentialLength = 4096;

    /// <summary>The options string a 2.6 server sends over UDP for <c>dev tap</c> (what the client expects).</summary>
    public const string ServerOptionsUdp = "V4,dev-type tap,link-mtu 1573,tun-mtu 1500,proto UDPv4,auth SHA1,keysize 128,key-method 2,tls-server";

    private const int PrefixSize = 4 + 1;

    /// <summary>Parses the client's message. Bytes after it are ignored, as 2.6 does.</summary>
    public static KeyMethod2ParseResult TryParseClientMessage(ReadOnlySpan<byte> data, out KeyMethod2ClientMessage? message)
    {
        message = null;
        KeyMethod2ParseResult head = ReadPrefix(data);
        if (head != KeyMethod2ParseResult.Ok)
        {
            return head;
        }
        int offset = PrefixSize;
        if (data.Length < offset + PreMasterSize + 2 * RandomSize)
        {
            return KeyMethod2ParseResult.Truncated;
        }
        ReadOnlySpan<byte> preMaster = data.Slice(offset, PreMasterSize);
        offset += PreMasterSize;
        ReadOnlySpan<byte> random1 = data.Slice(offset, RandomSize);
        offset += RandomSize;
        ReadOnlySpan<byte> random2 = data.Slice(offset, RandomSize);
        offset += RandomSize;

        KeyMethod2ParseResult result = ReadOptions(data, ref offset, out string options);
        if (result != KeyMethod2ParseResult.Ok)
        {
            return result;
        }
        // Username, password and peer-info may be missing at the end of the record (2.6 then treats them as empty).
        if (!TryReadString(data, ref offset, out ReadOnlySpan<byte> username))
        {
            return KeyMethod2ParseResult.Truncated;
        }
        if (!TryReadString(data, ref offset, out ReadOnlySpan<byte> password))
        {
            return KeyMethod2ParseResult.Truncated;
        }
        if (username.Length >= MaxCredentialLength || password.Length >= MaxCredentialLength)
        {
            return KeyMethod2ParseResult.CredentialTooLong;
        }
        if (!TryReadString(data, ref offset, out ReadOnlySpan<byte> peerInfo))
        {
            return KeyMethod2ParseResult.Truncated;
        }
        message = new KeyMethod2ClientMessage(preMaster.ToArray(), random1.ToArray(), random2.ToArray(), options,
            username.ToArray(), password.ToArray(), Encoding.UTF8.GetString(peerInfo));
        return KeyMethod2ParseResult.Ok;
    }

    /// <summary>Parses the server's reply (client role: test peers and tools).</summary>
    public static KeyMethod2ParseResult TryParseServerMessage(ReadOnlySpan<byte> data, out KeyMethod2ServerMessage? message)
    {
        message = null;
        KeyMethod2ParseResult head = ReadPrefix(data);
        if (head != KeyMethod2ParseResult.Ok)
        {
            return head;
        }
        int offset = PrefixSize;
        if (data.Length < offset + 2 * RandomSize)
        {
            return KeyMethod2ParseResult.Truncated;
        }
        byte[] random1 = data.Slice(offset, RandomSize).ToArray();
        byte[] random2 = data.Slice(offset + RandomSize, RandomSize).ToArray();
        offset += 2 * RandomSize;
        KeyMethod2ParseResult result = ReadOptions(data, ref offset, out string options);
        if (result != KeyMethod2ParseResult.Ok)
        {
            return result;
        }
        message = new KeyMethod2ServerMessage(random1, random2, options);
        return KeyMethod2ParseResult.Ok;
    }

    /// <summary>Size of the server message for <paramref name="options"/>.</summary>
    public static int ServerMessageSize(string options) => PrefixSize + 2 * RandomSize + StringSize(options) + 3 * 2;

    /// <summary>Writes the server's reply; false if <paramref name="destination"/> is too small.</summary>
    public static bool TryWriteServerMessage(Span<byte> destination, ReadOnlySpan<byte> random1, ReadOnlySpan<byte> random2,
        string options, out int written)
    {
        RequireSize(random1, RandomSize, nameof(random1));
        RequireSize(random2, RandomSize, nameof(random2));
        RequireOptions(options);
        written = 0;
        int size = ServerMessageSize(options);
        if (destination.Length < size)
        {
            return false;
        }
        int offset = WritePrefix(destination);
        random1.CopyTo(destination[offset..]);
        random2.CopyTo(destination[(offset + RandomSize)..]);
        offset += 2 * RandomSize;
        offset += WriteString(destination[offset..], options);
        offset += WriteString(destination[offset..], "");
        offset += WriteString(destination[offset..], "");
        offset += WriteString(destination[offset..], "");
        written = offset;
        return true;
    }

    /// <summary>Size of a client message with these strings.</summary>
    public static int ClientMessageSize(string options, string username, string password, string peerInfo) =>
        PrefixSize + PreMasterSize + 2 * RandomSize + StringSize(options) + StringSize(username) + StringSize(password) + StringSize(peerInfo);

    /// <summary>Writes a client message (test peers and tools).</summary>
    public static bool TryWriteClientMessage(Span<byte> destination, ReadOnlySpan<byte> preMaster, ReadOnlySpan<byte> random1,
        ReadOnlySpan<byte> random2, string options, string username, string password, string peerInfo, out int written)
    {
        RequireSize(preMaster, PreMasterSize, nameof(preMaster));
        RequireSize(random1, RandomSize, nameof(random1));
        RequireSize(random2, RandomSize, nameof(random2));
        RequireOptions(options);
        written = 0;
        int size = ClientMessageSize(options, username, password, peerInfo);
        if (destination.Length < size)
        {
            return false;
        }
        int offset = WritePrefix(destination);
        preMaster.CopyTo(destination[offset..]);
        offset += PreMasterSize;
        random1.CopyTo(destination[offset..]);
        random2.CopyTo(destination[(offset + RandomSize)..]);
        offset += 2 * RandomSize;
        offset += WriteString(destination[offset..], options);
        offset += WriteString(destination[offset..], username);
        offset += WriteString(destination[offset..], password);
        offset += WriteString(destination[offset..], peerInfo);
        written = offset;
        return true;
    }

    private static KeyMethod2ParseResult ReadPrefix(ReadOnlySpan<byte> data)
    {
        if (data.Length < PrefixSize)
        {
            return KeyMethod2ParseResult.Truncated;
        }
        if (BinaryPrimitives.ReadUInt32BigEndian(data) != 0)
        {
            return KeyMethod2ParseResult.NonZeroPrefix;
        }
        // The upper nibble carries flags (0 in 2.6).
        return (data[4] & 0x0F) == Method ? KeyMethod2ParseResult.Ok : KeyMethod2ParseResult.UnsupportedKeyMethod;
    }

    private static KeyMethod2ParseResult ReadOptions(ReadOnlySpan<byte> data, ref int offset, out string options)
    {
        options = "";
        if (data.Length < offset + 2)
        {
            return KeyMethod2ParseResult.Truncated;
        }
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);
        if (length < 1 || length > MaxOptionsLength)
        {
            return KeyMethod2ParseResult.InvalidOptionsString;
        }
        if (!TryReadString(data, ref offset, out ReadOnlySpan<byte> text))
        {
            return KeyMethod2ParseResult.Truncated;
        }
        options = Encoding.UTF8.GetString(text);
        return KeyMethod2ParseResult.Ok;
    }

    /// <summary>Reads one string; a missing length at the very end reads as empty. Text stops at the first NUL.</summary>
    private static bool TryReadString(ReadOnlySpan<byte> data, ref int offset, out ReadOnlySpan<byte> text)
    {
        text = default;
        if (offset >= data.Length)
        {
            return true;
        }
        if (data.Length < offset + 2)
        {
            return false;
        }
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);
        if (data.Length < offset + 2 + length)
        {
            return false;
        }
        ReadOnlySpan<byte> bytes = data.Slice(offset + 2, length);
        int nul = bytes.IndexOf((byte)0);
        text = nul >= 0 ? bytes[..nul] : bytes;
        offset += 2 + length;
        return true;
    }

    private static int StringSize(string text) => text.Length == 0 ? 2 : 2 + Encoding.UTF8.GetByteCount(text) + 1;

    private static int WritePrefix(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, 0);
        destination[4] = Method;
        return PrefixSize;
    }

    private static int WriteString(Span<byte> destination, string text)
    {
        if (text.Length == 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination, 0);
            return 2;
        }
        int bytes = Encoding.UTF8.GetBytes(text, destination[2..]);
        destination[2 + bytes] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(bytes + 1));
        return 2 + bytes + 1;
    }

    private static void RequireSize(ReadOnlySpan<byte> value, int size, string name)
    {
        if (value.Length != size)
        {
            throw new ArgumentException($"{name} must be {size} bytes, got {value.Length}", name);
        }
    }

    private static void RequireOptions(string options)
    {
        if (options.Length == 0 || Encoding.UTF8.GetByteCount(options) + 1 > MaxOptionsLength)
        {
            throw new ArgumentException($"the options string must have 1..{MaxOptionsLength - 1} bytes", nameof(options));
        }
    }
}

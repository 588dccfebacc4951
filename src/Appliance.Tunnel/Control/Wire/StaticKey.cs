using System.Security.Cryptography;
using System.Text;

namespace Appliance.Tunnel.Control.Wire;

/// <summary>
/// The 256-byte OpenVPN static key (tls-crypt, tls-auth): two 128-byte keys, each <c>cipher[64] ‖ hmac[64]</c>.
/// Reads and writes the <c>-----BEGIN OpenVPN Static key V1-----</c> file format.
/// </summary>
/// <remarks>Immutable after construction; <see cref="Dispose"/> zeroes the bytes. Never printed: <see cref="ToString"/> shows no key material.</remarks>
public sealed class StaticKey : IDisposable
{
    public const int Size = 256;
    /// <summary>One key = cipher slice + hmac slice.</summary>
    public const int KeySize = 128;
    public const int SliceSize = 64;
    public const string BeginMarker = "-----BEGIN OpenVPN Static key V1-----";
    public const string EndMarker = "-----END OpenVPN Static key V1-----";

    private readonly byte[] _bytes;

    private StaticKey(byte[] bytes) => _bytes = bytes;

    /// <summary>Copies 256 key bytes.</summary>
    public static StaticKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"a static key is {Size} bytes, got {bytes.Length}", nameof(bytes));
        }
        return new StaticKey(bytes.ToArray());
    }

    /// <summary>A fresh key from the system CSPRNG, like <c>openvpn --genkey secret</c>.</summary>
    public static StaticKey Generate() => new(RandomNumberGenerator.GetBytes(Size));

    /// <summary>Reads a key file's text. Text outside the markers is ignored, as OpenVPN does.</summary>
    public static StaticKeyParseResult TryParse(ReadOnlySpan<char> text, out StaticKey? key)
    {
        key = null;
        int begin = text.IndexOf(BeginMarker, StringComparison.Ordinal);
        if (begin < 0)
        {
            return StaticKeyParseResult.MissingBeginMarker;
        }
        ReadOnlySpan<char> rest = text[(begin + BeginMarker.Length)..];
        int end = rest.IndexOf(EndMarker, StringComparison.Ordinal);
        if (end < 0)
        {
            return StaticKeyParseResult.MissingEndMarker;
        }
        ReadOnlySpan<char> body = rest[..end];
        byte[] bytes = new byte[Size];
        int nibbles = 0;
        foreach (char c in body)
        {
            if (char.IsWhiteSpace(c))
            {
                continue;
            }
            int value = HexValue(c);
            if (value < 0)
            {
                CryptographicOperations.ZeroMemory(bytes);
                return StaticKeyParseResult.InvalidCharacter;
            }
            if (nibbles >= Size * 2)
            {
                CryptographicOperations.ZeroMemory(bytes);
                return StaticKeyParseResult.WrongLength;
            }
            bytes[nibbles >> 1] |= (byte)((nibbles & 1) == 0 ? value << 4 : value);
            nibbles++;
        }
        if (nibbles != Size * 2)
        {
            CryptographicOperations.ZeroMemory(bytes);
            return StaticKeyParseResult.WrongLength;
        }
        key = new StaticKey(bytes);
        return StaticKeyParseResult.Ok;
    }

    /// <summary>The file text, in the layout <c>openvpn --genkey secret</c> writes (16 bytes per line).</summary>
    public string ToFileText()
    {
        var text = new StringBuilder(Size * 2 + 200);
        text.Append("#\n# 2048 bit OpenVPN static key\n#\n").Append(BeginMarker).Append('\n');
        for (int line = 0; line < Size / 16; line++)
        {
            text.Append(Convert.ToHexStringLower(_bytes, line * 16, 16)).Append('\n');
        }
        text.Append(EndMarker).Append('\n');
        return text.ToString();
    }

    /// <summary>All 256 bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The 64-byte cipher slice of key <paramref name="index"/> (0 or 1).</summary>
    public ReadOnlySpan<byte> CipherSlice(int index) => _bytes.AsSpan(Offset(index), SliceSize);

    /// <summary>The 64-byte hmac slice of key <paramref name="index"/> (0 or 1).</summary>
    public ReadOnlySpan<byte> HmacSlice(int index) => _bytes.AsSpan(Offset(index) + SliceSize, SliceSize);

    public void Dispose() => CryptographicOperations.ZeroMemory(_bytes);

    public override string ToString() => "OpenVPN static key (256 bytes)";

    private static int Offset(int index) => index switch
    {
        0 => 0,
        1 => KeySize,
        _ => throw new ArgumentOutOfRangeException(nameof(index), index, "a static key holds keys 0 and 1"),
    };

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}

using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace Appliance.Tunnel.Control.Wire;

/// <summary>
/// What our tls-crypt-v2 client keys say about their client, sealed inside the WKc (opaque to the client, authentic to the
/// server): the certificate's serial number and common name and its not-after.
/// </summary>
/// <remarks>
/// Layout, version 1 (big-endian):
/// <code>
/// 0      1  0x00          OpenVPN metadata type USER (doc/tls-crypt-v2.txt)
/// 1      2  'A' 'P'       marker of this format
/// 3      1  0x01          format version
/// 4      8  not-after     signed unix seconds
/// 12     1  s             serial length, 1..20
/// 13     s  serial        the certificate serial's bytes (big-endian, as in DER)
/// 13+s   1  c             common-name length, 1..64
/// 14+s   c  common name   UTF-8, no control characters
/// </code>
/// A reader refuses other versions and trailing bytes; a later version may add fields after the common name.
/// </remarks>
/// <param name="SerialNumber">Upper-case hex, as the certificate validator and the agent's registry print serials.</param>
/// <param name="NotAfter">The client certificate's not-after; the key is refused after it.</param>
public readonly record struct TlsCryptV2Metadata(byte Version, string SerialNumber, string CommonName, DateTimeOffset NotAfter)
{
    /// <summary>OpenVPN's metadata type for free-form data.</summary>
    public const byte UserType = 0x00;
    public const byte CurrentVersion = 1;
    public const int MaxSerialNumberLength = 20;
    public const int MaxCommonNameLength = 64;
    private const byte MarkerA = (byte)'A';
    private const byte MarkerP = (byte)'P';
    private const int FixedLength = 4 + 8 + 1 + 1;

    /// <summary>The metadata bytes for a client key (type byte first), in the current format version.</summary>
    /// <exception cref="ArgumentException">A serial or name outside the format's limits (our own input, not the wire's).</exception>
    public static byte[] Encode(ReadOnlySpan<byte> serialNumber, string commonName, DateTimeOffset notAfter)
    {
        ArgumentNullException.ThrowIfNull(commonName);
        if (serialNumber.IsEmpty || serialNumber.Length > MaxSerialNumberLength)
        {
            throw new ArgumentException($"a serial number is 1..{MaxSerialNumberLength} bytes, got {serialNumber.Length}", nameof(serialNumber));
        }
        int nameLength = Encoding.UTF8.GetByteCount(commonName);
        if (nameLength == 0 || nameLength > MaxCommonNameLength || HasControlCharacter(commonName))
        {
            throw new ArgumentException($"common name '{commonName}' must be 1..{MaxCommonNameLength} UTF-8 bytes without control characters", nameof(commonName));
        }
        byte[] bytes = new byte[FixedLength + serialNumber.Length + nameLength];
        bytes[0] = UserType;
        bytes[1] = MarkerA;
        bytes[2] = MarkerP;
        bytes[3] = CurrentVersion;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(4), notAfter.ToUnixTimeSeconds());
        bytes[12] = (byte)serialNumber.Length;
        serialNumber.CopyTo(bytes.AsSpan(13));
        bytes[13 + serialNumber.Length] = (byte)nameLength;
        Encoding.UTF8.GetBytes(commonName, bytes.AsSpan(14 + serialNumber.Length));
        return bytes;
    }

    /// <summary>Reads metadata unwrapped from an authentic WKc. Never throws.</summary>
    public static TlsCryptV2MetadataParseResult TryParse(ReadOnlySpan<byte> metadata, out TlsCryptV2Metadata value)
    {
        value = default;
        if (metadata.IsEmpty)
        {
            return TlsCryptV2MetadataParseResult.Empty;
        }
        if (metadata[0] != UserType)
        {
            return TlsCryptV2MetadataParseResult.NotUserType;
        }
        if (metadata.Length < 3 || metadata[1] != MarkerA || metadata[2] != MarkerP)
        {
            return TlsCryptV2MetadataParseResult.ForeignFormat;
        }
        if (metadata.Length < 4)
        {
            return TlsCryptV2MetadataParseResult.Truncated;
        }
        if (metadata[3] != CurrentVersion)
        {
            return TlsCryptV2MetadataParseResult.UnsupportedVersion;
        }
        if (metadata.Length < 13)
        {
            return TlsCryptV2MetadataParseResult.Truncated;
        }
        long notAfter = BinaryPrimitives.ReadInt64BigEndian(metadata[4..]);
        int serialLength = metadata[12];
        if (serialLength is 0 or > MaxSerialNumberLength)
        {
            return TlsCryptV2MetadataParseResult.InvalidSerialNumber;
        }
        if (metadata.Length < 13 + serialLength + 1)
        {
            return TlsCryptV2MetadataParseResult.Truncated;
        }
        ReadOnlySpan<byte> serial = metadata.Slice(13, serialLength);
        int nameLength = metadata[13 + serialLength];
        if (nameLength is 0 or > MaxCommonNameLength)
        {
            return TlsCryptV2MetadataParseResult.InvalidCommonName;
        }
        int end = 14 + serialLength + nameLength;
        if (metadata.Length < end)
        {
            return TlsCryptV2MetadataParseResult.Truncated;
        }
        ReadOnlySpan<byte> name = metadata.Slice(14 + serialLength, nameLength);
        if (!Utf8.IsValid(name))
        {
            return TlsCryptV2MetadataParseResult.InvalidCommonName;
        }
        string commonName = Encoding.UTF8.GetString(name);
        if (HasControlCharacter(commonName))
        {
            return TlsCryptV2MetadataParseResult.InvalidCommonName;
        }
        if (metadata.Length != end)
        {
            return TlsCryptV2MetadataParseResult.TrailingBytes;
        }
        // Unix seconds outside DateTimeOffset's range cannot come from a certificate; clamp rather than throw.
        DateTimeOffset notAfterTime = notAfter < MinUnixSeconds ? DateTimeOffset.MinValue
            : notAfter > MaxUnixSeconds ? DateTimeOffset.MaxValue
            : DateTimeOffset.FromUnixTimeSeconds(notAfter);
        value = new TlsCryptV2Metadata(CurrentVersion, Convert.ToHexString(serial), commonName, notAfterTime);
        return TlsCryptV2MetadataParseResult.Ok;
    }

    private static readonly long MinUnixSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds();
    private static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    private static bool HasControlCharacter(string text)
    {
        foreach (char c in text)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }
        return false;
    }
}

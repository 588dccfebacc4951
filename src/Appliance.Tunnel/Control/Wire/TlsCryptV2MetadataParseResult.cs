namespace Appliance.Tunnel.Control.Wire;

/// <summary>Why the metadata of an authentic wrapped client key is not ours to admit.</summary>
public enum TlsCryptV2MetadataParseResult : byte
{
    Ok = 0,
    /// <summary>No metadata at all, not even OpenVPN's type byte.</summary>
    Empty,
    /// <summary>OpenVPN's type byte is not USER (0x00): e.g. a TIMESTAMP (0x01) key from a plain <c>openvpn --genkey tls-crypt-v2-client</c>.</summary>
    NotUserType,
    /// <summary>USER metadata without our marker: a key made with someone else's free-form metadata.</summary>
    ForeignFormat,
    /// <summary>Our marker with a format version this build does not read.</summary>
    UnsupportedVersion,
    /// <summary>Ends before a field it announces.</summary>
    Truncated,
    /// <summary>Serial number of 0 or more than 20 bytes (RFC 5280 §4.1.2.2).</summary>
    InvalidSerialNumber,
    /// <summary>Common name empty, longer than 64 bytes, not UTF-8, or holding control characters.</summary>
    InvalidCommonName,
    /// <summary>Bytes after the last field of this format version.</summary>
    TrailingBytes,
}

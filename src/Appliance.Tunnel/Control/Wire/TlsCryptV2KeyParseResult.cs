namespace Appliance.Tunnel.Control.Wire;

/// <summary>Outcome of reading a tls-crypt-v2 server or client key file.</summary>
public enum TlsCryptV2KeyParseResult : byte
{
    Ok = 0,
    /// <summary>No PEM block with the expected label (<c>OpenVPN tls-crypt-v2 server key</c> / <c>client key</c>).</summary>
    MissingPemBlock,
    /// <summary>The PEM body is not valid base64.</summary>
    InvalidBase64,
    /// <summary>The decoded bytes have the wrong length for this kind of key.</summary>
    WrongLength,
    /// <summary>A client key whose wrapped part (WKc) has an inconsistent length field.</summary>
    BadWrappedKey,
}

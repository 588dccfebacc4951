namespace Appliance.Tunnel.Control.Wire;

/// <summary>Outcome of reading an OpenVPN static key file.</summary>
public enum StaticKeyParseResult : byte
{
    Ok = 0,
    /// <summary>No <c>-----BEGIN OpenVPN Static key V1-----</c> line.</summary>
    MissingBeginMarker,
    /// <summary>No <c>-----END OpenVPN Static key V1-----</c> line after the begin marker.</summary>
    MissingEndMarker,
    /// <summary>Something other than hex digits and white space between the markers.</summary>
    InvalidCharacter,
    /// <summary>The hex between the markers is not exactly 256 bytes.</summary>
    WrongLength,
}

namespace Appliance.Tunnel.Frames;

/// <summary>RFC 2516 §5 discovery packet codes (and RFC 4938's PADM).</summary>
public enum PppoeDiscoveryCode : byte
{
    /// <summary>Not a discovery frame, or not readable.</summary>
    None = 0,
    /// <summary>PPPoE Active Discovery Initiation (broadcast by the client).</summary>
    Padi,
    /// <summary>PPPoE Active Discovery Offer (from an access concentrator).</summary>
    Pado,
    /// <summary>PPPoE Active Discovery Request.</summary>
    Padr,
    /// <summary>PPPoE Active Discovery Session-confirmation: carries the session id.</summary>
    Pads,
    /// <summary>PPPoE Active Discovery Terminate.</summary>
    Padt,
    /// <summary>PPPoE Active Discovery Message (RFC 4938).</summary>
    Padm,
    /// <summary>A discovery frame with a code RFC 2516 does not define.</summary>
    Other,
}

/// <summary>Wire values of <see cref="PppoeDiscoveryCode"/>.</summary>
public static class PppoeDiscoveryCodes
{
    public const int Count = (int)PppoeDiscoveryCode.Other + 1;

    public static PppoeDiscoveryCode FromWire(byte code) => code switch
    {
        0x09 => PppoeDiscoveryCode.Padi,
        0x07 => PppoeDiscoveryCode.Pado,
        0x19 => PppoeDiscoveryCode.Padr,
        0x65 => PppoeDiscoveryCode.Pads,
        0xA7 => PppoeDiscoveryCode.Padt,
        0xD3 => PppoeDiscoveryCode.Padm,
        _ => PppoeDiscoveryCode.Other,
    };

    public static byte ToWire(PppoeDiscoveryCode code) => code switch
    {
        PppoeDiscoveryCode.Padi => 0x09,
        PppoeDiscoveryCode.Pado => 0x07,
        PppoeDiscoveryCode.Padr => 0x19,
        PppoeDiscoveryCode.Pads => 0x65,
        PppoeDiscoveryCode.Padt => 0xA7,
        PppoeDiscoveryCode.Padm => 0xD3,
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "no single wire value"),
    };
}

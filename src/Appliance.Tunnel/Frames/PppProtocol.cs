namespace Appliance.Tunnel.Frames;

/// <summary>The PPP protocol field of a PPPoE session frame (RFC 1661 §2, IANA PPP DLL protocol numbers).</summary>
public enum PppProtocol : byte
{
    /// <summary>Not a PPPoE session frame, or the protocol field was not readable.</summary>
    None = 0,
    /// <summary>0xC021 Link Control Protocol.</summary>
    Lcp,
    /// <summary>0xC023 Password Authentication Protocol: its payload carries a password and is never stored.</summary>
    Pap,
    /// <summary>0xC223 Challenge Handshake Authentication Protocol.</summary>
    Chap,
    /// <summary>0x8021 IP Control Protocol.</summary>
    Ipcp,
    /// <summary>0x8057 IPv6 Control Protocol.</summary>
    Ipv6cp,
    /// <summary>0x0021 IPv4 datagram.</summary>
    IPv4,
    /// <summary>0x0057 IPv6 datagram.</summary>
    IPv6,
    /// <summary>Any other protocol (CCP, MPLS, ...).</summary>
    Other,
}

/// <summary>Wire values and traits of <see cref="PppProtocol"/>.</summary>
public static class PppProtocols
{
    public const int Count = (int)PppProtocol.Other + 1;

    public const ushort LcpValue = 0xC021;
    public const ushort PapValue = 0xC023;
    public const ushort ChapValue = 0xC223;
    public const ushort IpcpValue = 0x8021;
    public const ushort Ipv6cpValue = 0x8057;
    public const ushort IPv4Value = 0x0021;
    public const ushort IPv6Value = 0x0057;

    public static PppProtocol FromWire(ushort protocol) => protocol switch
    {
        LcpValue => PppProtocol.Lcp,
        PapValue => PppProtocol.Pap,
        ChapValue => PppProtocol.Chap,
        IpcpValue => PppProtocol.Ipcp,
        Ipv6cpValue => PppProtocol.Ipv6cp,
        IPv4Value => PppProtocol.IPv4,
        IPv6Value => PppProtocol.IPv6,
        _ => PppProtocol.Other,
    };

    /// <summary>True for protocols whose payload starts with code, identifier and length (RFC 1661 §5).</summary>
    public static bool HasControlHeader(PppProtocol protocol) =>
        protocol is PppProtocol.Lcp or PppProtocol.Pap or PppProtocol.Chap or PppProtocol.Ipcp or PppProtocol.Ipv6cp;

    /// <summary>True for authentication protocols, whose payload may carry a secret.</summary>
    public static bool CarriesCredentials(PppProtocol protocol) =>
        protocol is PppProtocol.Pap or PppProtocol.Chap;
}

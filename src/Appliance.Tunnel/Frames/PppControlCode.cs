namespace Appliance.Tunnel.Frames;

/// <summary>RFC 1661 §5 packet codes of LCP and the NCPs (IPCP, IPv6CP use codes 1–7).</summary>
/// <remarks>
/// PAP (RFC 1334) and CHAP (RFC 1994) reuse the code byte with their own meanings; the classifier keeps
/// the raw code and <see cref="PppControlCodes.Name"/> names it per protocol.
/// </remarks>
public enum PppControlCode : byte
{
    None = 0,
    ConfigureRequest = 1,
    ConfigureAck = 2,
    ConfigureNak = 3,
    ConfigureReject = 4,
    TerminateRequest = 5,
    TerminateAck = 6,
    CodeReject = 7,
    ProtocolReject = 8,
    EchoRequest = 9,
    EchoReply = 10,
    DiscardRequest = 11,
}

/// <summary>Names of PPP control codes, per protocol.</summary>
public static class PppControlCodes
{
    /// <summary>Codes 0..15 are counted one by one; larger codes share the last bucket.</summary>
    public const int Count = 16;

    /// <summary>Counter bucket of a raw code byte.</summary>
    public static int Bucket(byte code) => code < Count ? code : Count - 1;

    public static string Name(PppProtocol protocol, int code) => protocol switch
    {
        PppProtocol.Pap => code switch
        {
            1 => "Authenticate-Request",
            2 => "Authenticate-Ack",
            3 => "Authenticate-Nak",
            _ => "code " + code.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
        PppProtocol.Chap => code switch
        {
            1 => "Challenge",
            2 => "Response",
            3 => "Success",
            4 => "Failure",
            _ => "code " + code.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
        _ => code switch
        {
            1 => "Configure-Request",
            2 => "Configure-Ack",
            3 => "Configure-Nak",
            4 => "Configure-Reject",
            5 => "Terminate-Request",
            6 => "Terminate-Ack",
            7 => "Code-Reject",
            8 => "Protocol-Reject",
            9 => "Echo-Request",
            10 => "Echo-Reply",
            11 => "Discard-Request",
            _ => "code " + code.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
    };
}

using System.Buffers.Binary;

namespace Appliance.Tunnel.Control.Wire;

/// <summary>
/// OpenVPN 2.6's early negotiation for tls-crypt-v2 (doc/tls-crypt-v2.txt, "HMAC Cookie support"): a client announces it by
/// starting its wrap replay counter at 0x0F000000 (its opening carries 0x0F000001); the server's reset may then carry TLVs, of which flags 0x0001 with bit
/// 0x0001 asks the client to append its WKc again to its next packet (opcode 11, P_CONTROL_WKC_V1), so the server can stay
/// stateless until then.
/// </summary>
public static class TlsCryptV2EarlyNegotiation
{
    /// <summary>Where a 2.6 tls-crypt-v2 client starts its replay counter; its first packet carries the next value, 0x0F000001 (seen on the wire).</summary>
    public const uint ReplayCounterStart = 0x0F000000;
    /// <summary>TLV type of the early-negotiation flags.</summary>
    public const ushort FlagsTlvType = 0x0001;
    /// <summary>Flag: resend the WKc in the next packet.</summary>
    public const ushort ResendWrappedKeyFlag = 0x0001;
    /// <summary>type(2) ‖ length(2) ‖ flags(2).</summary>
    public const int ResendWrappedKeyTlvSize = 6;

    /// <summary>True when the replay id's counter has the early-negotiation marker (OpenVPN tests bits 24..27 all set).</summary>
    public static bool IsAnnounced(WrapReplayId replayId) => (replayId.Counter & ReplayCounterStart) == ReplayCounterStart;

    /// <summary>Writes the flags TLV asking for the WKc again: the payload of the server's hard reset.</summary>
    public static int WriteResendWrappedKeyTlv(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, FlagsTlvType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], sizeof(ushort));
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], ResendWrappedKeyFlag);
        return ResendWrappedKeyTlvSize;
    }
}

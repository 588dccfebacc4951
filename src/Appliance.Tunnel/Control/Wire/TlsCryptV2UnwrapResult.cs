using Appliance.Tunnel.Counters;

namespace Appliance.Tunnel.Control.Wire;

/// <summary>Outcome of reading a tls-crypt-v2 opening packet (opcode 10 or 11) or a wrapped client key.</summary>
public enum TlsCryptV2UnwrapResult : byte
{
    Ok = 0,
    /// <summary>Shorter than a tls-crypt header and tag plus the 2-byte WKc length.</summary>
    Truncated,
    /// <summary>Not opcode 10 (P_CONTROL_HARD_RESET_CLIENT_V3) or 11 (P_CONTROL_WKC_V1): no wrapped key to read.</summary>
    NotWrappedKeyOpcode,
    /// <summary>The WKc length field is above 1024, OpenVPN's limit.</summary>
    WrappedKeyTooLong,
    /// <summary>The WKc length field is below the smallest WKc (tag, 256-byte Kc, length), or larger than what the packet holds after its tls-crypt part.</summary>
    WrappedKeyLengthInvalid,
    /// <summary>The WKc tag does not match: a key made for another server key, or tampering.</summary>
    BadWrappedKeyTag,
    /// <summary>The WKc is authentic but the packet around it fails tls-crypt under that client key (a replayed WKc with a forged packet).</summary>
    BadPacketTag,
    /// <summary>The caller's buffer is too small (a bug in the caller, not the peer).</summary>
    DestinationTooSmall,
}

/// <summary>Maps <see cref="TlsCryptV2UnwrapResult"/> to the shared drop reasons.</summary>
public static class TlsCryptV2UnwrapResults
{
    public static DropReason ToDropReason(TlsCryptV2UnwrapResult result) => result switch
    {
        TlsCryptV2UnwrapResult.BadWrappedKeyTag or TlsCryptV2UnwrapResult.BadPacketTag => DropReason.BadControlAuthentication,
        _ => DropReason.Malformed,
    };
}

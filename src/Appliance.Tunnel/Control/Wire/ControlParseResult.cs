using Appliance.Tunnel.Counters;

namespace Appliance.Tunnel.Control.Wire;

/// <summary>Why a control packet (plain layout, after unwrapping) did or did not parse.</summary>
public enum ControlParseResult : byte
{
    Ok = 0,
    /// <summary>Shorter than its fields say (opcode, session id, ACK block, message id).</summary>
    Truncated,
    /// <summary>The opcode is not a control opcode.</summary>
    NotControl,
    /// <summary>More than 8 ACK ids (2.6 rejects the packet).</summary>
    TooManyAcks,
    /// <summary>A payload on P_ACK_V1, which has none.</summary>
    UnexpectedPayload,
}

/// <summary>Maps <see cref="ControlParseResult"/> to the shared drop reasons.</summary>
public static class ControlParseResults
{
    public static DropReason ToDropReason(ControlParseResult result) => DropReason.Malformed;
}

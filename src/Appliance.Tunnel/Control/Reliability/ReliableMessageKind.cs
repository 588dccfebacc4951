namespace Appliance.Tunnel.Control.Reliability;

/// <summary>What a reliable message is, so the packet codec can pick its opcode; the reliability layer only carries it.</summary>
public enum ReliableMessageKind : byte
{
    /// <summary>Message id 0 of a key state: HARD_RESET_SERVER_V2 for key-id 0, SOFT_RESET_V1 otherwise (payload empty, or TLVs).</summary>
    Reset,
    /// <summary>TLS bytes: P_CONTROL_V1.</summary>
    Control,
}

namespace Appliance.Tunnel.Frames;

/// <summary>How far the classifier could read a frame's headers, and why it stopped.</summary>
/// <remarks>A frame that is not <see cref="Complete"/> is still a frame: the tunnel carries it unchanged.
/// The status only says that its headers were cut short or contradict themselves, never guessed.</remarks>
public enum FrameStatus : byte
{
    /// <summary>Every header the classifier knows was read and agrees with the frame's length.</summary>
    Complete = 0,
    /// <summary>Shorter than the 14-byte Ethernet header.</summary>
    Runt,
    /// <summary>A VLAN tag was announced but the frame ends inside it.</summary>
    TruncatedVlanTag,
    /// <summary>PPPoE EtherType, but fewer than 6 bytes of PPPoE header.</summary>
    TruncatedPppoeHeader,
    /// <summary>PPPoE version/type is not 1/1 (RFC 2516 §4), or a session frame carries a non-zero code.</summary>
    BadPppoeHeader,
    /// <summary>The PPPoE length field claims more bytes than the frame holds.</summary>
    PppoeLengthExceedsFrame,
    /// <summary>A PPPoE session payload too short for the 2-byte PPP protocol field.</summary>
    TruncatedPppProtocol,
    /// <summary>A PPP control protocol payload too short for code, identifier and length.</summary>
    TruncatedPppControlHeader,
    /// <summary>The PPP control length field is below 4 or exceeds the PPPoE payload.</summary>
    PppControlLengthInconsistent,
}

namespace Appliance.Tunnel.Frames;

/// <summary>Which stations a frame's destination MAC addresses.</summary>
public enum DestinationKind : byte
{
    /// <summary>Fewer than 6 bytes: no destination could be read.</summary>
    Unknown = 0,
    Unicast,
    /// <summary>Group bit set, not all-ones.</summary>
    Multicast,
    /// <summary>ff:ff:ff:ff:ff:ff.</summary>
    Broadcast,
}

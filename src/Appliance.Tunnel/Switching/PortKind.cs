namespace Appliance.Tunnel.Switching;

/// <summary>The role of a port on the switch.</summary>
public enum PortKind : byte
{
    /// <summary>The NIC or bridge facing the ISP's PPPoE access concentrator.</summary>
    Uplink = 0,
    /// <summary>One remote client's tunnel.</summary>
    Session,
}

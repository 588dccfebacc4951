namespace Appliance.Tunnel.Switching;

/// <summary>Which frames the switch lets between a session and the uplink.</summary>
public enum SwitchPolicy : byte
{
    /// <summary>Only PPPoE Discovery (0x8863) and Session (0x8864), behind any VLAN tags: the appliance's default.</summary>
    PppoeOnly = 0,
    /// <summary>Every EtherType: a plain L2 extension of the uplink.</summary>
    AllLayer2,
}

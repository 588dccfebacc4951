namespace Appliance.Tunnel.Diagnostics;

/// <summary>One end of a PPPoE session, as seen on the client's switch port.</summary>
public enum SessionSide : byte
{
    /// <summary>The remote machine: its frames come In on its session port.</summary>
    Client = 1,
    /// <summary>The ISP's access concentrator and PPP peer: its frames go Out towards the client.</summary>
    Isp = 2,
}

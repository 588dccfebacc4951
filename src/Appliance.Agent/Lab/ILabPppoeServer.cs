using Appliance.Contracts;

namespace Appliance.Agent.Lab;

/// <summary>
/// The one-machine lab's ISP: a real pppoe-server in a user-mode-linux guest on the lab bridge. Registered only when
/// no uplink is configured; its status shows in the health document.
/// </summary>
public interface ILabPppoeServer
{
    LabStatusDto Status { get; }
}

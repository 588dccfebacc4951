namespace Appliance.Contracts;

/// <summary>A network interface of the agent's host.</summary>
/// <param name="Kind">"nic", "bridge", "tap", "veth", "vlan", "loopback" or "other".</param>
/// <param name="OperState">The kernel's operstate ("up", "down", "unknown", ...).</param>
/// <param name="Master">The bridge this interface is a port of, or null.</param>
/// <param name="Members">For a bridge: its ports.</param>
/// <param name="UsedBy">What the appliance uses it for ("uplink", "lab-bridge"), or null.</param>
public sealed record HostInterfaceDto(string Name, string Kind, string? Mac, int Mtu, string OperState, string? Master, IReadOnlyList<string> Members, string? UsedBy);

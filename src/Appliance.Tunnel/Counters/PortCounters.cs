namespace Appliance.Tunnel.Counters;

/// <summary>Both directions of one switch port, seen from the switch.</summary>
/// <remarks><see cref="In"/> counts what the port's device handed to the switch (ingress, drops included);
/// <see cref="Out"/> counts what the switch handed to the device (egress), and egress drops.</remarks>
public sealed class PortCounters
{
    public DirectionCounters In { get; } = new();
    public DirectionCounters Out { get; } = new();

    public PortCountersSnapshot Snapshot() => new(In.Snapshot(), Out.Snapshot());
}

/// <summary>A value copy of a port's counters.</summary>
public sealed record PortCountersSnapshot(DirectionSnapshot In, DirectionSnapshot Out)
{
    public static PortCountersSnapshot Empty { get; } = new(DirectionSnapshot.Empty, DirectionSnapshot.Empty);

    public PortCountersSnapshot Since(PortCountersSnapshot earlier) => new(In.Since(earlier.In), Out.Since(earlier.Out));
}

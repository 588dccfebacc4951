namespace Appliance.Tunnel.Transport;

/// <summary>How many TCP connections the listener keeps, and how long a connection may stay silent or unauthenticated.</summary>
/// <param name="MaxConnections">All open connections, authenticated or not; beyond it a new connection is refused.</param>
/// <param name="MaxUnauthenticated">Connections whose session has not authenticated; when full, the oldest is closed to
/// make room for the new one (an idle flood then costs a legitimate client nothing but a retry at worst).</param>
/// <param name="MaxUnauthenticatedPerSource">The same, per remote IP address: one host cannot hold the others' room.</param>
/// <param name="FirstPacketDeadline">A connection that has not sent one whole packet by then is closed.</param>
/// <param name="HandshakeDeadline">A connection still unauthenticated by then is closed (the hand-window and a margin).</param>
public sealed record TcpLimits(int MaxConnections, int MaxUnauthenticated, int MaxUnauthenticatedPerSource,
    TimeSpan FirstPacketDeadline, TimeSpan HandshakeDeadline)
{
    public static TcpLimits Default { get; } = new(1024 + 256, 256, 16, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(75));

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxConnections < 1)
            errors.Add($"MaxConnections: {MaxConnections} must be at least 1");
        if (MaxUnauthenticated < 1 || MaxUnauthenticated > MaxConnections)
            errors.Add($"MaxUnauthenticated: {MaxUnauthenticated} must be within 1..MaxConnections ({MaxConnections})");
        if (MaxUnauthenticatedPerSource < 1 || MaxUnauthenticatedPerSource > MaxUnauthenticated)
            errors.Add($"MaxUnauthenticatedPerSource: {MaxUnauthenticatedPerSource} must be within 1..MaxUnauthenticated ({MaxUnauthenticated})");
        if (FirstPacketDeadline <= TimeSpan.Zero || FirstPacketDeadline > HandshakeDeadline)
            errors.Add($"FirstPacketDeadline: {FirstPacketDeadline} must be positive and at most HandshakeDeadline ({HandshakeDeadline})");
        return errors;
    }
}

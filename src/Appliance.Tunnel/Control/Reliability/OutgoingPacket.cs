namespace Appliance.Tunnel.Control.Reliability;

/// <summary>A control packet to encode and send: one reliable message plus the ACK ids piggy-backed on it.</summary>
/// <param name="Message">The message (id, kind, payload, attempt).</param>
/// <param name="AckCount">How many ids were written to the caller's ACK span, first to last.</param>
public readonly record struct OutgoingPacket(OutgoingMessage Message, int AckCount);

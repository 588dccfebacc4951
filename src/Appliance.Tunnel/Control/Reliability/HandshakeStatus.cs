namespace Appliance.Tunnel.Control.Reliability;

/// <summary>Where a key state stands against its handshake deadline (<see cref="ReliabilityOptions.HandshakeWindow"/>).</summary>
public enum HandshakeStatus : byte
{
    /// <summary>TLS or the key exchange is still running and the deadline has not passed.</summary>
    Negotiating,
    /// <summary>The owner declared the negotiation finished; the deadline no longer applies.</summary>
    Established,
    /// <summary>The deadline passed before the negotiation finished: tear the key state down (2.6's client restarts too).</summary>
    Expired,
}

namespace Appliance.Tunnel.Counters;

/// <summary>Why a frame or packet was not delivered. Every component counts every drop with one of these; none is silent.</summary>
/// <remarks>Append new members at the end: values are stable and appear in APIs and metrics.</remarks>
public enum DropReason : byte
{
    /// <summary>Shorter than the 14-byte Ethernet header: there is no frame to forward.</summary>
    Truncated = 0,
    /// <summary>Longer than the port's largest allowed frame (MTU + Ethernet header + permitted VLAN tags).</summary>
    Oversize,
    /// <summary>The switch policy does not let this kind of frame between these ports (e.g. non-PPPoE in PPPoE-only mode, session-to-session).</summary>
    FilteredByPolicy,
    /// <summary>No port to deliver to: the destination is learned on the ingress port itself, or no other port exists.</summary>
    NoDestination,
    /// <summary>The egress queue was full; the frame was dropped rather than growing memory.</summary>
    QueueFull,
    /// <summary>The device refused or failed the read or write (link down, I/O error).</summary>
    DeviceError,
    /// <summary>The source MAC is a group address, which no station may send from.</summary>
    InvalidSourceAddress,
    /// <summary>The ingress port already owns its limit of learned MAC addresses and this source is new.</summary>
    MacLimitReached,
    /// <summary>The source MAC is owned by another live port; taking it over would let one session hijack another's traffic.</summary>
    MacOwnedByOtherPort,
    /// <summary>The port is shutting down or removed.</summary>
    PortClosed,
    /// <summary>An encrypted packet failed its authentication tag (wrong key or tampering).</summary>
    BadAuthenticationTag,
    /// <summary>A packet id already seen or older than the replay window.</summary>
    Replay,
    /// <summary>A data packet for a key id or peer id that has no live key.</summary>
    UnknownKey,
    /// <summary>A control packet that failed tls-crypt / tls-auth before any TLS work.</summary>
    BadControlAuthentication,
    /// <summary>A packet that does not parse as the protocol (bad opcode, short header).</summary>
    Malformed,
    /// <summary>Shed by the rate limiter to protect live sessions.</summary>
    RateLimited,
    /// <summary>A packet from an address, connection or peer-id that has no session, and is not a session's opening reset.</summary>
    NoSession,
    /// <summary>An authenticated packet from an address its session does not own: a control packet from elsewhere (forged
    /// or replayed), or a float onto the address of another live session. Refused; no live session is touched.</summary>
    AddressMismatch,
    /// <summary>A new handshake refused because the limit of handshakes in progress (in total or for this source) is
    /// reached. Authenticated sessions are never evicted to make room.</summary>
    HandshakeLimit,
    /// <summary>Handling the packet threw (a bug): counted and logged, and the receive loop goes on.</summary>
    HandlerFault,
    /// <summary>An authentic tls-crypt-v2 client key naming a client the server refuses (revoked, disabled, expired, unknown, unreadable metadata): dropped before any TLS work.</summary>
    ClientRefused,
    /// <summary>Taken by the appliance itself instead of forwarded: a client's answer to the appliance's own size probe, which the ISP must never see.</summary>
    ConsumedByProbe,
}

/// <summary>Traits of <see cref="DropReason"/>.</summary>
public static class DropReasons
{
    public const int Count = (int)DropReason.ConsumedByProbe + 1;

    /// <summary>Stable snake_case name for APIs and metrics.</summary>
    public static string Key(DropReason reason) => reason switch
    {
        DropReason.Truncated => "truncated",
        DropReason.Oversize => "oversize",
        DropReason.FilteredByPolicy => "filtered_by_policy",
        DropReason.NoDestination => "no_destination",
        DropReason.QueueFull => "queue_full",
        DropReason.DeviceError => "device_error",
        DropReason.InvalidSourceAddress => "invalid_source_address",
        DropReason.MacLimitReached => "mac_limit_reached",
        DropReason.MacOwnedByOtherPort => "mac_owned_by_other_port",
        DropReason.PortClosed => "port_closed",
        DropReason.BadAuthenticationTag => "bad_authentication_tag",
        DropReason.Replay => "replay",
        DropReason.UnknownKey => "unknown_key",
        DropReason.BadControlAuthentication => "bad_control_authentication",
        DropReason.Malformed => "malformed",
        DropReason.RateLimited => "rate_limited",
        DropReason.NoSession => "no_session",
        DropReason.AddressMismatch => "address_mismatch",
        DropReason.HandshakeLimit => "handshake_limit",
        DropReason.HandlerFault => "handler_fault",
        DropReason.ClientRefused => "client_refused",
        DropReason.ConsumedByProbe => "consumed_by_probe",
        _ => "unknown",
    };
}

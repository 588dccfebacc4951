namespace Appliance.Contracts;

/// <summary>One live tunnel session with its full counters. "In" is what the client sent into the appliance, "Out" what the appliance sent to the client.</summary>
/// <param name="Id">16 hex digits, stable for the life of the session.</param>
/// <param name="CommonName">The client's certificate name (the client's name), or null before TLS completes.</param>
/// <param name="Remote">The client's address:port as seen by the agent.</param>
/// <param name="Transport">"udp" or "tcp".</param>
/// <param name="Cipher">Data-channel cipher, e.g. "AES-256-GCM".</param>
/// <param name="Established">True once the data channel is up and the session has a switch port.</param>
/// <param name="ClientMacs">MAC addresses learned on the session's port.</param>
/// <param name="In">Counters of frames from the client (null before established).</param>
/// <param name="Out">Counters of frames to the client (null before established).</param>
/// <param name="Pppoe">The PPPoE view derived from the frames seen (null before established).</param>
public sealed record SessionDto(
    string Id,
    string? CommonName,
    string Remote,
    string Transport,
    string Cipher,
    bool Established,
    DateTimeOffset ConnectedAt,
    DateTimeOffset? LastReceivedAt,
    int Renegotiations,
    string? ClientVersion,
    string? ClientPlatform,
    IReadOnlyList<string> ClientMacs,
    DirectionCountersDto? In,
    DirectionCountersDto? Out,
    PppoeViewDto? Pppoe);

/// <summary>One tick of the live stream: every session at one instant, plus the uplink's counters.</summary>
public sealed record SessionsUpdateDto(DateTimeOffset TakenAt, IReadOnlyList<SessionDto> Sessions, PortStatus? Uplink);

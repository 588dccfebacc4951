namespace Appliance.Contracts;

/// <summary>The PPPoE exchange of one session as the agent sees it, and what it concludes.</summary>
public sealed record PppoeViewDto(
    DateTimeOffset TakenAt,
    PppoeDiscoveryDto Discovery,
    PppControlProtocolDto Lcp,
    PppAuthenticationDto Authentication,
    PppControlProtocolDto Ipcp,
    PppControlProtocolDto Ipv6cp,
    PppoeTrafficDto FromClient,
    PppoeTrafficDto ToClient,
    IReadOnlyList<PppoeFindingDto> Findings);

/// <param name="State">"idle", "padi-sent", "offered", "requested", "refused", "session", "terminated" (the engine's discovery state, kebab-case).</param>
/// <param name="SessionId">The PPPoE session id once PADS assigned one.</param>
public sealed record PppoeDiscoveryDto(
    string State,
    int? SessionId,
    string? ClientMac,
    string? AccessConcentratorMac,
    long Padi,
    long Pado,
    long Padr,
    long Pads,
    long Padt,
    long Padm,
    DateTimeOffset? SessionAt,
    DateTimeOffset? TerminatedAt,
    string? TerminatedBy);

/// <param name="Protocol">"LCP", "IPCP" or "IPv6CP".</param>
/// <param name="Opened">Both sides' Configure-Requests were acknowledged.</param>
/// <param name="Client">The client's negotiator (its requests and the ISP's answers).</param>
/// <param name="Isp">The ISP's negotiator (its requests and the client's answers).</param>
public sealed record PppControlProtocolDto(
    string Protocol,
    bool Opened,
    long TimesOpened,
    DateTimeOffset? OpenedAt,
    DateTimeOffset? ClosedAt,
    PppNegotiatorDto Client,
    PppNegotiatorDto Isp);

/// <param name="State">The negotiator's state, kebab-case (e.g. "req-sent", "ack-received", "opened").</param>
public sealed record PppNegotiatorDto(
    string State,
    long ConfigureRequests,
    long Retransmissions,
    long UnansweredRequests,
    bool RequestAcked,
    long AcksReceived,
    long NaksReceived,
    long RejectsReceived,
    long EchoRequests,
    long EchoRepliesReceived,
    long UnansweredEchoes);

/// <param name="Protocol">"PAP", "CHAP" or "none".</param>
/// <param name="Outcome">"none", "pending", "success" or "failure".</param>
public sealed record PppAuthenticationDto(string Protocol, string Outcome, long Requests, long Successes, long Failures);

public sealed record PppoeTrafficDto(long Frames, long ShortFrames, long PppoeFrames, long IPv4Frames, long IPv6Frames, int LargestFrame, DateTimeOffset? LastFrameAt);

/// <param name="Severity">"info", "warning" or "error".</param>
/// <param name="Code">Stable code, e.g. "short-frames-lost-from-client".</param>
/// <param name="Explanation">What the agent saw, in an operator's words.</param>
/// <param name="Fix">What to do about it.</param>
/// <param name="Evidence">The frames that should have crossed and did not, with their sizes; empty when the finding rests on counts.</param>
/// <param name="SizeThreshold">For a frame-size finding, the size in bytes it names ("frames shorter than 34 bytes"); null otherwise.</param>
/// <param name="Parameters">The values the explanation and fix are made of (counts, seconds, sizes, names; never a secret), by name, so a
/// reader can word them in its own language: <c>variant</c> tells apart the texts one code has. Empty for a code that has none.</param>
public sealed record PppoeFindingDto(string Severity, string Code, string Explanation, string Fix,
    IReadOnlyList<MissingFrameDto>? Evidence = null, int? SizeThreshold = null, IReadOnlyDictionary<string, string>? Parameters = null);

/// <summary>A PPP control frame that never arrived where it was due.</summary>
/// <param name="From">"client" or "isp": the end that sent it (or owed it).</param>
/// <param name="Protocol">"LCP", "IPCP" or "IPv6CP".</param>
/// <param name="Code">RFC 1661 name, e.g. "Configure-Ack", "Echo-Reply".</param>
/// <param name="Identifier">The identifier that pairs it with its request.</param>
/// <param name="Size">Its Ethernet frame size in bytes (for an answer never seen: the size it must have had).</param>
public sealed record MissingFrameDto(string From, string Protocol, string Code, int Identifier, int Size);

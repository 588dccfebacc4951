using Appliance.Tunnel.Frames;

namespace Appliance.Tunnel.Diagnostics;

/// <summary>What became of a request whose answer an end owes.</summary>
public enum AnswerWait : byte
{
    /// <summary>The request is the latest of its kind and its answer may still come.</summary>
    Pending = 1,
    /// <summary>The requester sent its next Configure-Request of the same protocol first: it gave up waiting for this answer.</summary>
    Superseded,
    /// <summary>The link went down (LCP left Opened, PADT, a new attempt) while the answer was still awaited.</summary>
    Abandoned,
}

/// <summary>An answer one end of the session owes and has not sent (or that never reached the switch), with the size it must have.</summary>
/// <param name="Owner">The end that owes the answer.</param>
/// <param name="Protocol">LCP, IPCP or IPv6CP.</param>
/// <param name="Code">The answer expected: Echo-Reply for an Echo-Request, Configure-Ack for a Configure-Request.</param>
/// <param name="Identifier">The request's identifier, which the answer repeats (RFC 1661 §5).</param>
/// <param name="ExpectedSize">The answer's Ethernet frame size without padding: an Echo-Reply mirrors its request (RFC 1661
/// §5.8), a Configure-Ack repeats the acknowledged options (§5.2), so both are as long as the request's PPP content.</param>
/// <param name="RequestSize">The request's frame as it crossed the switch (padding included).</param>
/// <param name="RequestedAt">When the request crossed the client's port.</param>
/// <param name="OwnerFramesBefore">PPPoE session frames from the owner before the request: later ones prove the owner alive.</param>
/// <param name="EndedAt">When it was superseded or abandoned; null while pending.</param>
public sealed record AwaitedAnswer(
    SessionSide Owner,
    PppProtocol Protocol,
    PppControlCode Code,
    byte Identifier,
    int ExpectedSize,
    int RequestSize,
    DateTimeOffset RequestedAt,
    long OwnerFramesBefore,
    AnswerWait Wait,
    DateTimeOffset? EndedAt);

/// <summary>A PPP control frame that crossed the client's port and evidently never reached the other end.</summary>
/// <param name="From">The end that sent it.</param>
/// <param name="Size">Its size in bytes as it crossed the switch (for an answer not seen: the size it must have had).</param>
public sealed record LostFrame(SessionSide From, PppProtocol Protocol, PppControlCode Code, byte Identifier, int Size)
{
    /// <summary>"LCP", "IPCP", "IPv6CP".</summary>
    public string ProtocolName => FrameSizeReasoning.ProtocolName(Protocol);
    /// <summary>RFC 1661's name of the code, e.g. "Configure-Ack".</summary>
    public string CodeName => PppControlCodes.Name(Protocol, (int)Code);
}

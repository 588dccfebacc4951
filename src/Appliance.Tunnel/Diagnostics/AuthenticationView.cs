using Appliance.Tunnel.Frames;

namespace Appliance.Tunnel.Diagnostics;

/// <summary>The client's PAP or CHAP authentication to the ISP: codes and counts only, never names or secrets.</summary>
public sealed record AuthenticationView
{
    /// <summary><see cref="PppProtocol.Pap"/>, <see cref="PppProtocol.Chap"/>, or None when no authentication was seen.</summary>
    public PppProtocol Protocol { get; init; }
    public AuthenticationOutcome Outcome { get; init; }
    /// <summary>PAP Authenticate-Requests or CHAP Responses from the client.</summary>
    public long Requests { get; init; }
    /// <summary>CHAP Challenges from the ISP.</summary>
    public long Challenges { get; init; }
    /// <summary>PAP Authenticate-Acks or CHAP Successes from the ISP.</summary>
    public long Successes { get; init; }
    /// <summary>PAP Authenticate-Naks or CHAP Failures from the ISP.</summary>
    public long Failures { get; init; }
    /// <summary>PAP/CHAP packets in the other direction (the client authenticating the ISP) or with unknown codes.</summary>
    public long OtherPackets { get; init; }
    public DateTimeOffset? FirstRequestAt { get; init; }
    /// <summary>When the latest verdict (success or failure) came.</summary>
    public DateTimeOffset? OutcomeAt { get; init; }
    /// <summary>Earlier dial-up attempts, in a row since the last success, that ended with the ISP refusing the client.</summary>
    public long FailedAttempts { get; init; }
    /// <summary>PAP or CHAP, of the latest of <see cref="FailedAttempts"/>.</summary>
    public PppProtocol FailedProtocol { get; init; }

    public static AuthenticationView Empty { get; } = new();
}

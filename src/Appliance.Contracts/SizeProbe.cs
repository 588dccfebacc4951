namespace Appliance.Contracts;

/// <summary>One frame size the probe tried and whether the client's LCP Echo-Reply came back.</summary>
public sealed record ProbedSizeDto(int Size, bool RoundTrip);

/// <summary>The answer of POST <see cref="ApiRoutes.SessionSizeProbe"/>: the window of frame sizes that make the round trip through a client's PPPoE session.</summary>
/// <param name="SmallestRoundTrip">Smallest frame (bytes, 30 up) answered; null when none.</param>
/// <param name="LargestRoundTrip">Largest frame answered; null when none.</param>
/// <param name="LostBelow">Frames shorter than this never made the round trip; null when even 30 bytes did.</param>
/// <param name="LostAbove">Frames longer than this never made the round trip; null when even the largest did.</param>
/// <param name="Direction">"none", "unknown", "from-client" or "toward-client": which way the lost sizes go, with the passive evidence.</param>
/// <param name="Summary">One sentence for an operator.</param>
/// <param name="Sizes">Every size tried, ascending.</param>
public sealed record FrameSizeProbeDto(
    string SessionId,
    string ClientName,
    DateTimeOffset StartedAt,
    double Seconds,
    int Requests,
    int? SmallestRoundTrip,
    int? LargestRoundTrip,
    int? LostBelow,
    int? LostAbove,
    string Direction,
    string Summary,
    IReadOnlyList<ProbedSizeDto> Sizes);

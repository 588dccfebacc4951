using Appliance.Contracts;
using Appliance.Tunnel.Diagnostics;

namespace Appliance.Agent.Api;

/// <summary>Turns a <see cref="FrameSizeProbeResult"/> into the API's <see cref="FrameSizeProbeDto"/>, the direction into its documented word.</summary>
internal static class SizeProbeViews
{
    public static FrameSizeProbeDto ToDto(string session, string client, FrameSizeProbeResult result, LossDirection direction)
    {
        var sizes = new List<ProbedSizeDto>(result.Sizes.Count);
        foreach (var s in result.Sizes)
            sizes.Add(new ProbedSizeDto(s.Size, s.RoundTrip));
        return new FrameSizeProbeDto(session, client, result.StartedAt, Math.Round(result.Took.TotalSeconds, 2), result.Requests,
            result.SmallestRoundTrip, result.LargestRoundTrip, result.LostBelow, result.LostAbove, Direction(direction), result.Describe(direction), sizes);
    }

    public static string Direction(LossDirection direction) => direction switch
    {
        LossDirection.None => "none",
        LossDirection.FromClient => "from-client",
        LossDirection.TowardClient => "toward-client",
        _ => "unknown",
    };
}

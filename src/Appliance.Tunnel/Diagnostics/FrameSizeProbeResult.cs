using Appliance.Tunnel.Switching;
using static System.FormattableString;

namespace Appliance.Tunnel.Diagnostics;

/// <summary>Whom the size probe talks to: the client's PPPoE session as the ISP's access concentrator would.</summary>
/// <param name="Client">The client's MAC: the probe's destination.</param>
/// <param name="AccessConcentrator">The concentrator's MAC: the probe's source, so the client answers it as it answers the ISP.</param>
/// <param name="IspMagicNumber">Put in every Echo-Request, as the ISP's own would carry it (RFC 1661 §5.8).</param>
public sealed record FrameSizeProbeTarget(MacAddress Client, MacAddress AccessConcentrator, ushort SessionId, uint IspMagicNumber)
{
    /// <summary>The session as the ISP's concentrator sees it, or null and why it cannot be probed now: the client answers
    /// Echo-Requests only in LCP Opened (RFC 1661 §5.8), and they must carry the ISP's magic number.</summary>
    public static FrameSizeProbeTarget? For(PppoeSessionView view, out string refusal)
    {
        ArgumentNullException.ThrowIfNull(view);
        refusal = "";
        var d = view.Discovery;
        if (d.SessionId is not { } sessionId || d.ClientMac is not { } client || d.AccessConcentratorMac is not { } concentrator)
        {
            refusal = Invariant($"no PPPoE session was set up, so no LCP link is Opened to probe (discovery {d.State}: {d.Padi} PADI, {d.Pado} PADO, {d.Padr} PADR, {d.Pads} PADS)");
            return null;
        }
        if (!view.Lcp.IsOpened)
        {
            refusal = view.Lcp.WasOpened
                ? "LCP is not Opened any more (the link went down); the client answers Echo-Requests only in LCP Opened"
                : Invariant($"LCP never opened on PPPoE session {sessionId} ({view.Lcp.Client.ConfigureRequests} Configure-Request(s) from the client and {view.Lcp.Isp.ConfigureRequests} from the ISP seen); the client answers Echo-Requests only in LCP Opened");
            return null;
        }
        if (view.IspMagicNumber is not { } magic)
        {
            refusal = "the ISP's LCP magic number was not seen yet";
            return null;
        }
        return new FrameSizeProbeTarget(client, concentrator, sessionId, magic);
    }
}

/// <summary>One frame size the probe tried, and whether the client's Echo-Reply came back.</summary>
public readonly record struct ProbedSize(int Size, bool RoundTrip);

/// <summary>Which way frames of the failing sizes are lost, from the probe and the passive evidence together.</summary>
public enum LossDirection : byte
{
    /// <summary>Every probed size made the round trip.</summary>
    None = 0,
    /// <summary>Lost, but the evidence does not say which way.</summary>
    Unknown,
    /// <summary>The client's frames of these sizes never arrive.</summary>
    FromClient,
    /// <summary>Frames of these sizes sent towards the client never reach it.</summary>
    TowardClient,
}

/// <summary>What the size probe measured: the window of frame sizes that make the round trip through the client.</summary>
/// <param name="Sizes">Every size tried, ascending.</param>
/// <param name="SmallestRoundTrip">Smallest size answered; null when none was.</param>
/// <param name="LargestRoundTrip">Largest size answered; null when none was.</param>
/// <param name="LostBelow">Frames shorter than this never made the round trip (null when even the smallest, 30 bytes, did).</param>
/// <param name="LostAbove">Frames longer than this never made the round trip (null when even the largest did).</param>
/// <param name="Requests">Echo-Requests sent, retries included.</param>
public sealed record FrameSizeProbeResult(
    IReadOnlyList<ProbedSize> Sizes,
    int? SmallestRoundTrip,
    int? LargestRoundTrip,
    int? LostBelow,
    int? LostAbove,
    int Requests,
    DateTimeOffset StartedAt,
    TimeSpan Took)
{
    /// <summary>Which way the lost sizes go, from the passive view of the same session: the size findings if any, else which short
    /// frames are seen to cross each way.</summary>
    public LossDirection Direction(PppoeSessionView view, PppoeDiagnosisThresholds? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (LostBelow is null && LostAbove is null)
            return LossDirection.None;
        foreach (var finding in PppoeDiagnosis.Diagnose(view, thresholds: thresholds))
        {
            if (finding.Code == PppoeFindingCodes.ShortFramesLostFromClient)
                return LossDirection.FromClient;
            if (finding.Code == PppoeFindingCodes.ShortFramesLostTowardClient)
                return LossDirection.TowardClient;
        }
        if (LostBelow is { } below)
        {
            // Frames that short do arrive from the client: they are lost on the way to it, and the other way round.
            if (view.In.SmallestSessionFrame < below)
                return LossDirection.TowardClient;
            if (view.SmallestDeliveredToClient < below)
                return LossDirection.FromClient;
        }
        if (LostAbove is { } above)
        {
            if (view.In.LargestSessionFrame > above)
                return LossDirection.TowardClient;
        }
        return LossDirection.Unknown;
    }

    /// <summary>One sentence for the operator, e.g. "Frames shorter than 34 bytes from the client never arrive; 34 to 1514 bytes make the round trip."</summary>
    public string Describe(LossDirection direction)
    {
        if (SmallestRoundTrip is not { } smallest || LargestRoundTrip is not { } largest)
            return "No Echo-Request of any size came back: the client's PPP link is not answering (or it loses every size).";
        var parts = new List<string>(3);
        if (LostBelow is { } below)
        {
            parts.Add(direction switch
            {
                LossDirection.FromClient => Invariant($"Frames shorter than {below} bytes from the client never arrive"),
                LossDirection.TowardClient => Invariant($"Frames shorter than {below} bytes toward the client never reach it"),
                _ => Invariant($"Frames shorter than {below} bytes never make the round trip (which way is not known yet)"),
            });
        }
        if (LostAbove is { } above)
            parts.Add(Invariant($"frames longer than {above} bytes are lost on the way (a path that drops IP fragments: use the TCP profile)"));
        parts.Add(parts.Count == 0
            ? Invariant($"Every frame from {smallest} to {largest} bytes made the round trip")
            : Invariant($"{smallest} to {largest} bytes make the round trip"));
        string text = string.Join("; ", parts) + ".";
        return char.ToUpperInvariant(text[0]) + text[1..];
    }
}

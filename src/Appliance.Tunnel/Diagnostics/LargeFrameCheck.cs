using Appliance.Tunnel.Switching;

namespace Appliance.Tunnel.Diagnostics;

/// <summary>
/// A one-time check, when the client's LCP opens, that the largest frame the port carries makes the round trip: two LCP
/// Echo-Requests (a small one as the control, and the largest) sent as the ISP would, each lost one sent once more.
/// </summary>
/// <remarks>
/// PPP's own negotiation never sends a frame near the MTU, so without this a path that drops IP fragments (a 1514-byte frame is a
/// ~1566-byte datagram over UDP) is invisible until the user's first large download stalls. At most four frames per LCP opening,
/// taken by <see cref="FrameSizeProbe"/> (reserved identifiers, replies never reach the ISP); skipped when an operator's probe holds
/// the port, and never started before LCP is Opened.
/// </remarks>
public static class LargeFrameCheck
{
    /// <summary>The control size: well above every known short-frame fault (34, 60), far below any MTU.</summary>
    public const int ControlSize = 64;

    /// <summary>How long after LCP Opened the check starts: the link's own first exchanges (authentication) go first.</summary>
    public static TimeSpan Delay { get; } = TimeSpan.FromSeconds(1);

    /// <summary>How long each round waits for the replies.</summary>
    public static TimeSpan RoundTimeout { get; } = TimeSpan.FromSeconds(2);

    /// <summary>Runs the check on <paramref name="port"/> and records the outcome in <paramref name="tracker"/>; never throws.</summary>
    public static async Task RunAsync(EthernetSwitch sw, SwitchPort port, PppoeSessionTracker tracker, TimeProvider? time = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sw);
        ArgumentNullException.ThrowIfNull(port);
        ArgumentNullException.ThrowIfNull(tracker);
        time ??= TimeProvider.System;
        try
        {
            await Task.Delay(Delay, time, cancellationToken).ConfigureAwait(false);
            if (FrameSizeProbeTarget.For(tracker.Snapshot(), out _) is not { } target)
                return;
            int largest = sw.Options.MaxFrameLength(0);
            var result = await FrameSizeProbe.RoundTripAsync(sw, port, target, [ControlSize, largest], time, RoundTimeout, cancellationToken)
                .ConfigureAwait(false);
            tracker.RecordLargeFrameCheck(Outcome(result, largest));
        }
        catch (InvalidOperationException)
        {
            // An operator's probe holds the port: it measures more than this check would.
        }
        catch (OperationCanceledException)
        {
            // The session ended.
        }
    }

    /// <summary>What the check's probe result says about the largest size.</summary>
    public static LargeFrameCheckResult Outcome(FrameSizeProbeResult result, int largest)
    {
        ArgumentNullException.ThrowIfNull(result);
        bool control = false, large = false;
        foreach (var probed in result.Sizes)
        {
            if (probed.Size == ControlSize)
                control = probed.RoundTrip;
            if (probed.Size == largest)
                large = probed.RoundTrip;
        }
        return new LargeFrameCheckResult(result.StartedAt, ControlSize, control, largest, large, result.Requests);
    }
}

/// <summary>The outcome of a <see cref="LargeFrameCheck"/>.</summary>
/// <param name="At">When it started.</param>
/// <param name="ControlAnswered">The small Echo-Request came back: the client answers echoes, so a lost large one is the path's.</param>
/// <param name="LargeSize">The largest frame the port carries (1514 at MTU 1500).</param>
/// <param name="LargeAnswered">It came back, on the first or the second try.</param>
/// <param name="Requests">Echo-Requests sent in all.</param>
public sealed record LargeFrameCheckResult(DateTimeOffset At, int ControlSize, bool ControlAnswered, int LargeSize, bool LargeAnswered, int Requests)
{
    /// <summary>The client answers small echoes and not the largest frame, twice: large frames are lost between it and the appliance.</summary>
    public bool LargeFramesLost => ControlAnswered && !LargeAnswered;
}

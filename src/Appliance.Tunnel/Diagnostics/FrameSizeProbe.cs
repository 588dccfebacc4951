using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;

namespace Appliance.Tunnel.Diagnostics;

/// <summary>
/// Measures which frame sizes make the round trip through a client's live PPPoE session: LCP Echo-Requests of chosen sizes, sent
/// towards the client as the ISP's concentrator would, and the client's Echo-Replies taken before the switch forwards them.
/// </summary>
/// <remarks>
/// Harmless to the session: pppd and Windows answer any Echo-Request in LCP Opened (RFC 1661 §5.8), and the replies never reach the
/// ISP (the port's <see cref="SwitchPort.Interceptor"/> takes them, counted as <see cref="DropReason.ConsumedByProbe"/>). Identifiers
/// come from a reserved range, and a reply with room for it must mirror the probe's marker. One probe per port at a time; the
/// caller checks that LCP is Opened. Rounds: every size from 30 to 64 bytes and a ladder up to the largest frame; the lost sizes
/// once more; then the sizes between the largest that made it and the smallest larger one that did not, coarse then fine.
/// </remarks>
public sealed class FrameSizeProbe : IFrameInterceptor
{
    /// <summary>Echo identifiers 0xC0–0xFF are the probe's; 64 requests at most in flight.</summary>
    public const byte FirstIdentifier = 0xC0;
    public const int IdentifierCount = 64;
    private const int SmallestLadderEnd = 64;

    private readonly EthernetSwitch _switch;
    private readonly SwitchPort _port;
    private readonly FrameSizeProbeTarget _target;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly int[] _sizeOf = new int[IdentifierCount];
    private readonly bool[] _answered = new bool[IdentifierCount];
    private int _outstanding;
    private TaskCompletionSource _allAnswered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FrameSizeProbe(EthernetSwitch sw, SwitchPort port, FrameSizeProbeTarget target, TimeProvider time)
    {
        _switch = sw;
        _port = port;
        _target = target;
        _time = time;
    }

    /// <summary>How long a round waits for the replies still missing.</summary>
    public static TimeSpan DefaultRoundTimeout { get; } = TimeSpan.FromSeconds(1);

    /// <summary>Probes the session on <paramref name="port"/>; the port's interceptor is the probe's until it ends.</summary>
    /// <exception cref="InvalidOperationException">Another probe (or interceptor) holds the port.</exception>
    public static async Task<FrameSizeProbeResult> RunAsync(EthernetSwitch sw, SwitchPort port, FrameSizeProbeTarget target,
        TimeProvider? time = null, TimeSpan? roundTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sw);
        ArgumentNullException.ThrowIfNull(port);
        ArgumentNullException.ThrowIfNull(target);
        time ??= TimeProvider.System;
        var timeout = roundTimeout ?? DefaultRoundTimeout;
        return await HoldingPortAsync(sw, port, target, time, probe => probe.RunAsync(timeout, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Sends one Echo-Request of each of <paramref name="sizes"/> and, for the ones not answered, one more: a small check of
    /// chosen sizes (<see cref="LargeFrameCheck"/>) rather than the full measurement.</summary>
    /// <exception cref="InvalidOperationException">Another probe (or interceptor) holds the port.</exception>
    public static async Task<FrameSizeProbeResult> RoundTripAsync(EthernetSwitch sw, SwitchPort port, FrameSizeProbeTarget target,
        IReadOnlyList<int> sizes, TimeProvider? time = null, TimeSpan? roundTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sw);
        ArgumentNullException.ThrowIfNull(port);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(sizes);
        time ??= TimeProvider.System;
        var timeout = roundTimeout ?? DefaultRoundTimeout;
        return await HoldingPortAsync(sw, port, target, time, async probe =>
        {
            var startedAt = time.GetUtcNow();
            long started = time.GetTimestamp();
            var results = new SortedDictionary<int, bool>();
            int largest = sw.Options.MaxFrameLength(0);
            var planned = new List<int>(sizes.Count);
            foreach (int size in sizes)
                planned.Add(Math.Clamp(size, LcpEchoProbeFrames.Smallest, largest));
            int requests = await probe.RoundAsync(planned, results, timeout, cancellationToken).ConfigureAwait(false);
            var lost = new List<int>();
            foreach (var (size, ok) in results)
            {
                if (!ok)
                    lost.Add(size);
            }
            if (lost.Count > 0)
                requests += await probe.RoundAsync(lost, results, timeout, cancellationToken).ConfigureAwait(false);
            return Summarize(results, requests, startedAt, time.GetElapsedTime(started));
        }).ConfigureAwait(false);
    }

    private static async Task<FrameSizeProbeResult> HoldingPortAsync(EthernetSwitch sw, SwitchPort port, FrameSizeProbeTarget target,
        TimeProvider time, Func<FrameSizeProbe, Task<FrameSizeProbeResult>> run)
    {
        var probe = new FrameSizeProbe(sw, port, target, time);
        if (Interlocked.CompareExchange(ref port.InterceptorSlot, probe, null) is not null)
            throw new InvalidOperationException($"{port} is already being probed");
        try
        {
            return await run(probe).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.CompareExchange(ref port.InterceptorSlot, null, probe);
        }
    }

    private async Task<FrameSizeProbeResult> RunAsync(TimeSpan roundTimeout, CancellationToken cancellationToken)
    {
        var startedAt = _time.GetUtcNow();
        long started = _time.GetTimestamp();
        int largest = _switch.Options.MaxFrameLength(0);
        var results = new SortedDictionary<int, bool>();
        int requests = 0;

        var first = new List<int>();
        for (int size = LcpEchoProbeFrames.Smallest; size <= SmallestLadderEnd; size++)
            first.Add(size);
        foreach (int size in (ReadOnlySpan<int>)[128, 256, 512, 1024, 1280, 1400, 1450, 1472, 1492, 1500])
        {
            if (size < largest)
                first.Add(size);
        }
        first.Add(largest);
        requests += await RoundAsync(first, results, roundTimeout, cancellationToken).ConfigureAwait(false);

        // Once more for what was lost: a single loss is no verdict.
        var lost = new List<int>();
        foreach (var (size, ok) in results)
        {
            if (!ok)
                lost.Add(size);
        }
        if (lost.Count > 0)
            requests += await RoundAsync(lost, results, roundTimeout, cancellationToken).ConfigureAwait(false);

        // Narrow the gap above the largest size that made it, coarse then fine.
        for (int pass = 0; pass < 2; pass++)
        {
            var (below, above) = LargeGap(results);
            if (below is not { } low || above is not { } high || high - low <= 1)
                break;
            int step = Math.Max(1, (high - low + IdentifierCount - 2) / (IdentifierCount - 1));
            var sizes = new List<int>();
            for (int size = low + step; size < high; size += step)
                sizes.Add(size);
            if (step > 1)
                sizes.Add(high - 1);
            requests += await RoundAsync(sizes, results, roundTimeout, cancellationToken).ConfigureAwait(false);
        }

        return Summarize(results, requests, startedAt, _time.GetElapsedTime(started));
    }

    /// <summary>The largest size that made it above every loss below it, and the smallest larger size that did not.</summary>
    private static (int? Below, int? Above) LargeGap(SortedDictionary<int, bool> results)
    {
        int? lastOk = null;
        foreach (var (size, ok) in results)
        {
            if (ok)
                lastOk = size;
            else if (lastOk is not null)
                return (lastOk, size);
        }
        return (null, null);
    }

    private static FrameSizeProbeResult Summarize(SortedDictionary<int, bool> results, int requests, DateTimeOffset startedAt, TimeSpan took)
    {
        var sizes = new List<ProbedSize>(results.Count);
        int? smallest = null, largest = null;
        bool lostSmaller = false, lostLarger = false;
        foreach (var (size, ok) in results)
        {
            sizes.Add(new ProbedSize(size, ok));
            if (ok)
            {
                smallest ??= size;
                largest = size;
            }
        }
        foreach (var (size, ok) in results)
        {
            if (!ok && smallest is { } s && size < s)
                lostSmaller = true;
            if (!ok && largest is { } l && size > l)
                lostLarger = true;
        }
        return new FrameSizeProbeResult(sizes, smallest, largest, lostSmaller ? smallest : null, lostLarger ? largest : null, requests, startedAt, took);
    }

    /// <summary>Sends each size once (64 at most at a time) and waits for the replies or the timeout; records each outcome.</summary>
    private async Task<int> RoundAsync(List<int> sizes, SortedDictionary<int, bool> results, TimeSpan timeout, CancellationToken cancellationToken)
    {
        int sent = 0;
        for (int start = 0; start < sizes.Count; start += IdentifierCount)
        {
            int count = Math.Min(IdentifierCount, sizes.Count - start);
            Task allAnswered;
            lock (_gate)
            {
                Array.Clear(_sizeOf);
                Array.Clear(_answered);
                for (int i = 0; i < count; i++)
                    _sizeOf[i] = sizes[start + i];
                _outstanding = count;
                _allAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                allAnswered = _allAnswered.Task;
            }
            var frame = new byte[_switch.Options.MaxFrameLength(0)];
            for (int i = 0; i < count; i++)
            {
                var request = frame.AsSpan(0, _sizeOf[i]);
                LcpEchoProbeFrames.WriteRequest(request, _target, (byte)(FirstIdentifier + i));
                if (!_switch.Inject(_port, request, out _))
                    Settle(i, answered: false);
                sent++;
            }
            using (var timer = new CancellationTokenSource(timeout, _time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken))
            {
                try
                {
                    await allAnswered.WaitAsync(linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The round's time is up: what has not come back is lost.
                }
            }
            lock (_gate)
            {
                for (int i = 0; i < count; i++)
                {
                    int size = _sizeOf[i];
                    results[size] = _answered[i] || (results.TryGetValue(size, out bool earlier) && earlier);
                }
                _outstanding = 0;
                Array.Clear(_sizeOf);
            }
        }
        return sent;
    }

    private void Settle(int index, bool answered)
    {
        lock (_gate)
        {
            if (_sizeOf[index] == 0 || _answered[index] || _outstanding == 0)
                return;
            _answered[index] = answered;
            if (--_outstanding == 0)
                _allAnswered.TrySetResult();
        }
    }

    /// <inheritdoc />
    public bool TryTake(ReadOnlySpan<byte> frame, in FrameClass info)
    {
        if (!LcpEchoProbeFrames.TryReadReply(frame, info, _target, out byte identifier, out int requestSize))
            return false;
        int index = identifier - FirstIdentifier;
        if (index < 0 || index >= IdentifierCount)
            return false;
        lock (_gate)
        {
            // A reply in the reserved range is the probe's even when late (its round is over): the ISP must never see it.
            if (_sizeOf[index] != requestSize)
                return true;
            if (!_answered[index] && _outstanding > 0)
            {
                _answered[index] = true;
                if (--_outstanding == 0)
                    _allAnswered.TrySetResult();
            }
        }
        return true;
    }
}

using Appliance.Tunnel.Diagnostics;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tunnel.Tests.Diagnostics;

/// <summary>The tracker and the diagnosis on sequences no peer should send: shuffled, cut, corrupted, from either end.</summary>
/// <remarks>A failure prints the CsCheck seed; pass it to Sample's seed argument to replay the case.</remarks>
public sealed class PppoeSessionTrackerPropertyTests
{
    private static readonly byte[][] CapturedFrames = SessionReplay.Capture("pppoe-pap").Concat(SessionReplay.Capture("pppoe-chap")).ToArray();

    /// <summary>One step: a captured frame, cut or with one byte changed, or random bytes; a direction; a pause.</summary>
    private static readonly Gen<(byte[] Frame, bool Inbound, int PauseMs)> Steps =
        Gen.OneOf(
            Gen.Int[0, CapturedFrames.Length - 1].Select(i => CapturedFrames[i]),
            Gen.Select(Gen.Int[0, CapturedFrames.Length - 1], Gen.Int[0, 80], (i, cut) => CapturedFrames[i][..Math.Min(cut, CapturedFrames[i].Length)]),
            Gen.Select(Gen.Int[0, CapturedFrames.Length - 1], Gen.Int[0, 200], Gen.Byte, (i, at, value) =>
            {
                var frame = (byte[])CapturedFrames[i].Clone();
                frame[at % frame.Length] = value;
                return frame;
            }),
            Gen.Byte.Array[0, 80])
        .Select(Gen.Bool, Gen.Int[0, 5000], (frame, inbound, pause) => (frame, inbound, pause));

    [Fact]
    public void Random_frame_sequences_never_throw_and_the_view_stays_consistent()
    {
        Steps.Array[1, 300].Sample(steps =>
        {
            var time = new FakeTimeProvider();
            var tracker = new PppoeSessionTracker(time);
            long inbound = 0;
            foreach (var (frame, isInbound, pause) in steps)
            {
                tracker.OnFrame(frame, FrameClassifier.Classify(frame), isInbound ? FrameDirection.Inbound : FrameDirection.Outbound, time.GetTimestamp());
                inbound += isInbound ? 1 : 0;
                time.Advance(TimeSpan.FromMilliseconds(pause));
            }

            var view = tracker.Snapshot();
            _ = PppoeDiagnosis.Diagnose(view);
            Assert.Equal(inbound, view.In.Frames);
            Assert.Equal(steps.Length - inbound, view.Out.Frames);
            foreach (var protocol in new[] { view.Lcp, view.Ipcp, view.Ipv6cp })
            {
                Assert.True(Enum.IsDefined(protocol.Client.State) && Enum.IsDefined(protocol.Isp.State));
                Assert.Equal(protocol.IsOpened, protocol.Client.State == PppNegotiationState.Opened);
                Assert.Equal(protocol.IsOpened, protocol.Isp.State == PppNegotiationState.Opened);
                foreach (var side in new[] { protocol.Client, protocol.Isp })
                {
                    Assert.InRange(side.UnansweredRequests, 0, side.ConfigureRequests);
                    Assert.InRange(side.UnansweredEchoes, 0, side.EchoRequests);
                    Assert.InRange(side.Retransmissions, 0, side.ConfigureRequests);
                }
            }
            Assert.True(Enum.IsDefined(view.Discovery.State));
            Assert.True(view.Discovery.Attempts >= 0);
        }, iter: 2_000);
    }

    [Fact]
    public async Task An_inbound_and_an_outbound_writer_with_a_reader_lose_no_frame_and_never_throw()
    {
        var tracker = new PppoeSessionTracker();
        var inbound = CapturedFrames.Where(f => SessionReplay.DirectionOf(f) == FrameDirection.Inbound).ToArray();
        var outbound = CapturedFrames.Where(f => SessionReplay.DirectionOf(f) == FrameDirection.Outbound).ToArray();
        const int Rounds = 2_000;
        using var done = new CancellationTokenSource();

        var reader = Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
                _ = PppoeDiagnosis.Diagnose(tracker.Snapshot());
        });
        var writers = new[]
        {
            Task.Run(() => Feed(inbound, FrameDirection.Inbound)),
            Task.Run(() => Feed(outbound, FrameDirection.Outbound)),
        };
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromMinutes(1));
        await done.CancelAsync();
        await reader.WaitAsync(TimeSpan.FromMinutes(1));

        var view = tracker.Snapshot();
        Assert.Equal(Rounds * inbound.Length, view.In.Frames);
        Assert.Equal(Rounds * outbound.Length, view.Out.Frames);

        void Feed(byte[][] frames, FrameDirection direction)
        {
            for (int r = 0; r < Rounds; r++)
            {
                foreach (var frame in frames)
                    tracker.Observe(frame, direction);
            }
        }
    }
}

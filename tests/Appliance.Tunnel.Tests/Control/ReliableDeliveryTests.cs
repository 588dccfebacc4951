using Appliance.Tunnel.Control.Reliability;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tunnel.Tests.ControlChannel;

/// <summary>Two reliable channels over a lossy link: every byte arrives once and in order, whatever the network does.</summary>
public class ReliableDeliveryTests
{
    private sealed class Outcome
    {
        public required byte[] SentAtoB, ReceivedAtB, SentBtoA, ReceivedAtA;
        public required ReliableChannel A, B;
        public required TimeSpan Elapsed;
        public required LossyLink Link;
    }

    /// <summary>Runs both directions until all is delivered and acknowledged; the fake clock jumps to the next retransmit when the link is idle.</summary>
    private static Outcome Run(int seed, double loss, double duplication, bool reorder, int messages, int maxLength = 1100)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var start = time.GetUtcNow();
        var options = new ReliabilityOptions { HandshakeWindow = TimeSpan.FromHours(1) };
        var a = new ReliableChannel(0, options, time);
        var b = new ReliableChannel(0, options, time);
        var link = new LossyLink(seed, loss, duplication, reorder);
        var random = new Random(seed ^ 0x5A5A);
        var toSendA = new Queue<byte[]>();
        var toSendB = new Queue<byte[]>();
        var sentA = new List<byte>();
        var sentB = new List<byte>();
        for (int i = 0; i < messages; i++)
        {
            var m = new byte[random.Next(1, maxLength + 1)];
            random.NextBytes(m);
            toSendA.Enqueue(m);
            sentA.AddRange(m);
            var n = new byte[random.Next(1, maxLength + 1)];
            random.NextBytes(n);
            toSendB.Enqueue(n);
            sentB.AddRange(n);
        }
        var receivedA = new List<byte>();
        var receivedB = new List<byte>();

        for (int round = 0; round < 100_000; round++)
        {
            while (toSendA.Count > 0 && a.CanEnqueue)
                Assert.Equal(EnqueueResult.Queued, a.Enqueue(ReliableMessageKind.Control, toSendA.Dequeue()));
            while (toSendB.Count > 0 && b.CanEnqueue)
                Assert.Equal(EnqueueResult.Queued, b.Enqueue(ReliableMessageKind.Control, toSendB.Dequeue()));
            link.Flush(a, to: 1);
            link.Flush(b, to: 0);
            // Deliver only part of what is in flight, so reordering also spans flush rounds.
            link.Deliver(b, 1, max: 1 + random.Next(4));
            link.Deliver(a, 0, max: 1 + random.Next(4));
            while (a.TryTakeDelivered(out var p)) receivedA.AddRange(p.ToArray());
            while (b.TryTakeDelivered(out var p)) receivedB.AddRange(p.ToArray());

            bool done = toSendA.Count == 0 && toSendB.Count == 0 && a.AllSentAcknowledged && b.AllSentAcknowledged
                && receivedA.Count == sentB.Count && receivedB.Count == sentA.Count;
            if (done)
                break;
            if (link.IsEmpty && !a.Acks.HasPending && !b.Acks.HasPending)
            {
                var wait = Min(a.Sender.TimeUntilNextDue(), b.Sender.TimeUntilNextDue());
                Assert.NotNull(wait);
                time.Advance(wait.Value);
            }
        }
        return new Outcome
        {
            SentAtoB = [.. sentA], ReceivedAtB = [.. receivedB], SentBtoA = [.. sentB], ReceivedAtA = [.. receivedA],
            A = a, B = b, Elapsed = time.GetUtcNow() - start, Link = link,
        };
    }

    private static TimeSpan? Min(TimeSpan? x, TimeSpan? y) => x is null ? y : y is null ? x : (x < y ? x : y);

    private static void AssertDeliveredExactly(Outcome o)
    {
        Assert.Equal(o.SentAtoB, o.ReceivedAtB);
        Assert.Equal(o.SentBtoA, o.ReceivedAtA);
        Assert.True(o.A.AllSentAcknowledged);
        Assert.True(o.B.AllSentAcknowledged);
    }

    [Fact]
    public void Perfect_link_delivers_everything_without_retransmits()
    {
        var o = Run(seed: 1, loss: 0, duplication: 0, reorder: false, messages: 40);
        AssertDeliveredExactly(o);
        Assert.Equal(0, o.A.Counters.Retransmissions);
        Assert.Equal(0, o.B.Counters.Retransmissions);
        Assert.Equal(TimeSpan.Zero, o.Elapsed);
    }

    [Fact]
    public void Reordering_alone_delivers_in_order_without_waiting_for_timers()
    {
        var o = Run(seed: 2, loss: 0, duplication: 0, reorder: true, messages: 40);
        AssertDeliveredExactly(o);
        Assert.Equal(TimeSpan.Zero, o.Elapsed);
    }

    [Fact]
    public void Duplication_alone_delivers_each_byte_once()
    {
        var o = Run(seed: 3, loss: 0, duplication: 0.5, reorder: true, messages: 40);
        AssertDeliveredExactly(o);
        Assert.True(o.Link.Duplicated > 10);
        Assert.True(o.B.Counters.Duplicates + o.A.Counters.Duplicates > 0);
    }

    [Fact]
    public void Thirty_percent_loss_with_duplication_and_reordering_still_delivers_everything_in_order()
    {
        var o = Run(seed: 4, loss: 0.3, duplication: 0.2, reorder: true, messages: 40);
        AssertDeliveredExactly(o);
        Assert.True(o.Link.Lost > 10);
        Assert.True(o.A.Counters.Retransmissions > 0);
    }

    [Fact]
    public void Any_seed_and_network_delivers_everything_in_order()
    {
        var cases =
            from seed in Gen.Int
            from loss in Gen.Double[0, 0.4]
            from duplication in Gen.Double[0, 0.4]
            from reorder in Gen.Bool
            from messages in Gen.Int[1, 30]
            select (seed, loss, duplication, reorder, messages);
        cases.Sample(c => AssertDeliveredExactly(Run(c.seed, c.loss, c.duplication, c.reorder, c.messages, maxLength: 300)), iter: 150);
    }
}

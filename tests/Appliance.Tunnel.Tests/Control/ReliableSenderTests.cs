using Appliance.Tunnel.Control.Reliability;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tunnel.Tests.ControlChannel;

public class ReliableSenderTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private ReliableSender NewSender(ReliabilityOptions? options = null) => new(options, _time);

    private static List<uint> TakeDue(ReliableSender sender)
    {
        var ids = new List<uint>();
        while (sender.TryTakeDue(out var m))
            ids.Add(m.MessageId);
        return ids;
    }

    [Fact]
    public void Messages_get_ids_from_zero_in_queue_order()
    {
        var sender = NewSender();
        sender.Enqueue(ReliableMessageKind.Reset, ReadOnlyMemory<byte>.Empty);
        sender.Enqueue(ReliableMessageKind.Control, new byte[] { 1 });
        Assert.True(sender.TryTakeDue(out var first));
        Assert.Equal((0u, ReliableMessageKind.Reset, 1), (first.MessageId, first.Kind, first.Attempt));
        Assert.True(sender.TryTakeDue(out var second));
        Assert.Equal((1u, ReliableMessageKind.Control), (second.MessageId, second.Kind));
        Assert.False(sender.TryTakeDue(out _));
    }

    [Fact]
    public void At_most_six_messages_are_out_and_the_seventh_waits_for_an_ack()
    {
        var sender = NewSender();
        for (int i = 0; i < 7; i++)
            Assert.Equal(EnqueueResult.Queued, sender.Enqueue(ReliableMessageKind.Control, new byte[] { (byte)i }));
        Assert.Equal([0u, 1, 2, 3, 4, 5], TakeDue(sender));
        Assert.Equal(1, sender.BacklogCount);
        sender.Acknowledge([0u]);
        Assert.Equal([6u], TakeDue(sender));
    }

    [Fact]
    public void Window_is_a_span_of_ids_from_the_oldest_unacknowledged()
    {
        var sender = NewSender();
        for (int i = 0; i < 8; i++)
            sender.Enqueue(ReliableMessageKind.Control, new byte[] { 1 });
        TakeDue(sender);
        // 1..5 acknowledged but 0 is not: 6 would be 6 past the oldest, so it must wait.
        sender.Acknowledge([1u, 2, 3, 4, 5]);
        Assert.Equal(1, sender.InFlightCount);
        Assert.DoesNotContain(6u, TakeDue(sender));
        sender.Acknowledge([0u]);
        Assert.Equal([6u, 7], TakeDue(sender));
    }

    [Fact]
    public void Unacknowledged_message_is_resent_after_2s_then_4s_then_8s()
    {
        var sender = NewSender();
        sender.Enqueue(ReliableMessageKind.Control, new byte[] { 1 });
        Assert.Equal([0u], TakeDue(sender));
        var resendTimes = new List<double>();
        for (int step = 0; step < 150; step++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            if (sender.TryTakeDue(out var m))
            {
                Assert.True(m.IsRetransmission);
                resendTimes.Add(Math.Round((step + 1) * 0.1, 1));
            }
        }
        Assert.Equal([2.0, 6.0, 14.0], resendTimes);
        Assert.Equal(3, sender.Retransmissions);
    }

    [Fact]
    public void Next_due_time_tells_the_loop_how_long_to_sleep()
    {
        var sender = NewSender();
        Assert.Null(sender.TimeUntilNextDue());
        sender.Enqueue(ReliableMessageKind.Control, new byte[] { 1 });
        Assert.Equal(TimeSpan.Zero, sender.TimeUntilNextDue());
        TakeDue(sender);
        Assert.Equal(TimeSpan.FromSeconds(2), sender.TimeUntilNextDue());
        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(TimeSpan.FromSeconds(1.5), sender.TimeUntilNextDue());
    }

    [Fact]
    public void Acknowledged_message_is_never_resent()
    {
        var sender = NewSender();
        sender.Enqueue(ReliableMessageKind.Control, new byte[] { 1 });
        TakeDue(sender);
        Assert.Equal(1, sender.Acknowledge([0u]));
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Empty(TakeDue(sender));
        Assert.True(sender.IsIdle);
    }

    [Fact]
    public void Message_is_resent_early_once_three_later_ids_are_acknowledged()
    {
        var sender = NewSender();
        for (int i = 0; i < 4; i++)
            sender.Enqueue(ReliableMessageKind.Control, new byte[] { 1 });
        TakeDue(sender);
        sender.Acknowledge([1u, 2]);
        Assert.Empty(TakeDue(sender));
        sender.Acknowledge([3u]);
        Assert.True(sender.TryTakeDue(out var early));
        Assert.Equal((0u, 2), (early.MessageId, early.Attempt));
    }

    [Fact]
    public void Repeated_acks_of_already_acknowledged_ids_do_not_trigger_early_resend()
    {
        var sender = NewSender();
        for (int i = 0; i < 2; i++)
            sender.Enqueue(ReliableMessageKind.Control, new byte[] { 1 });
        TakeDue(sender);
        sender.Acknowledge([1u]);
        sender.Acknowledge([1u]);
        sender.Acknowledge([1u, 1u]);
        Assert.Empty(TakeDue(sender));
    }

    [Fact]
    public void Unknown_ack_ids_are_ignored()
    {
        var sender = NewSender();
        sender.Enqueue(ReliableMessageKind.Control, new byte[] { 1 });
        TakeDue(sender);
        Assert.Equal(0, sender.Acknowledge([5u, 6u, 0xFFFFFFFFu]));
        Assert.Equal(1, sender.InFlightCount);
    }

    [Fact]
    public void Full_backlog_pushes_back_instead_of_growing()
    {
        var sender = NewSender(new ReliabilityOptions { SendBacklog = 2 });
        for (int i = 0; i < 8; i++)
            Assert.Equal(EnqueueResult.Queued, sender.Enqueue(ReliableMessageKind.Control, new byte[] { 1 }));
        Assert.False(sender.CanEnqueue);
        Assert.Equal(EnqueueResult.QueueFull, sender.Enqueue(ReliableMessageKind.Control, new byte[] { 1 }));
        Assert.Equal(8u, sender.NextMessageId);
        TakeDue(sender);
        sender.Acknowledge([0u]);
        Assert.True(sender.CanEnqueue);
    }

    [Fact]
    public void Oversize_payload_is_refused()
    {
        var sender = NewSender(new ReliabilityOptions { MaxPayloadLength = 10 });
        Assert.Equal(EnqueueResult.TooLarge, sender.Enqueue(ReliableMessageKind.Control, new byte[11]));
        Assert.True(sender.IsIdle);
    }

    [Fact]
    public void Resend_all_now_makes_every_outstanding_message_due()
    {
        var sender = NewSender();
        for (int i = 0; i < 3; i++)
            sender.Enqueue(ReliableMessageKind.Control, new byte[] { 1 });
        TakeDue(sender);
        sender.ResendAllNow();
        Assert.Equal([0u, 1, 2], TakeDue(sender));
    }

    [Fact]
    public void Timeout_doubling_stops_at_the_ceiling()
    {
        var sender = NewSender(new ReliabilityOptions { InitialRetransmitTimeout = TimeSpan.FromSeconds(2), MaxRetransmitTimeout = TimeSpan.FromSeconds(4) });
        sender.Enqueue(ReliableMessageKind.Control, new byte[] { 1 });
        TakeDue(sender);
        _time.Advance(TimeSpan.FromSeconds(2)); TakeDue(sender);
        _time.Advance(TimeSpan.FromSeconds(4)); TakeDue(sender);
        Assert.Equal(TimeSpan.FromSeconds(4), sender.TimeUntilNextDue());
    }
}

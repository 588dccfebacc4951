using Appliance.Tunnel.Control.Reliability;

namespace Appliance.Tunnel.Tests.ControlChannel;

public class ReliableReceiverTests
{
    private static byte[] P(byte b) => [b];

    private static List<byte> Drain(ReliableReceiver receiver)
    {
        var delivered = new List<byte>();
        while (receiver.TryTakeNext(out var payload))
            delivered.AddRange(payload.ToArray());
        return delivered;
    }

    [Fact]
    public void In_order_packets_are_delivered_in_order()
    {
        var receiver = new ReliableReceiver();
        Assert.Equal(ReceiveOutcome.Accepted, receiver.Receive(0, P(10)));
        Assert.Equal(ReceiveOutcome.Accepted, receiver.Receive(1, P(11)));
        Assert.Equal([10, 11], Drain(receiver));
        Assert.Equal(2u, receiver.NextExpected);
    }

    [Fact]
    public void Out_of_order_packets_wait_for_the_gap_then_come_out_in_order()
    {
        var receiver = new ReliableReceiver();
        Assert.Equal(ReceiveOutcome.Accepted, receiver.Receive(2, P(12)));
        Assert.Equal(ReceiveOutcome.Accepted, receiver.Receive(1, P(11)));
        Assert.Empty(Drain(receiver));
        Assert.Equal(2, receiver.BufferedCount);
        Assert.Equal(ReceiveOutcome.Accepted, receiver.Receive(0, P(10)));
        Assert.Equal([10, 11, 12], Drain(receiver));
    }

    [Fact]
    public void Window_is_twelve_slots_from_next_expected()
    {
        var receiver = new ReliableReceiver();
        Assert.Equal(ReceiveOutcome.Accepted, receiver.Receive(11, P(1)));
        Assert.Equal(ReceiveOutcome.BeyondWindow, receiver.Receive(12, P(1)));
        Assert.Equal(ReceiveOutcome.BeyondWindow, receiver.Receive(1000, P(1)));
        Assert.False(ReceiveOutcome.BeyondWindow.ShouldAcknowledge());
    }

    [Fact]
    public void Window_slides_as_packets_are_delivered()
    {
        var receiver = new ReliableReceiver();
        for (uint id = 0; id < 5; id++)
            receiver.Receive(id, P((byte)id));
        Drain(receiver);
        Assert.Equal(ReceiveOutcome.Accepted, receiver.Receive(16, P(16)));
        Assert.Equal(ReceiveOutcome.BeyondWindow, receiver.Receive(17, P(17)));
    }

    [Fact]
    public void Delivered_id_arriving_again_is_a_duplicate_to_acknowledge_again()
    {
        var receiver = new ReliableReceiver();
        receiver.Receive(0, P(1));
        Drain(receiver);
        var outcome = receiver.Receive(0, P(1));
        Assert.Equal(ReceiveOutcome.Duplicate, outcome);
        Assert.True(outcome.ShouldAcknowledge());
        Assert.Empty(Drain(receiver));
    }

    [Fact]
    public void Buffered_id_arriving_again_is_a_duplicate_and_keeps_the_first_copy()
    {
        var receiver = new ReliableReceiver();
        receiver.Receive(1, P(1));
        Assert.Equal(ReceiveOutcome.Duplicate, receiver.Receive(1, P(99)));
        receiver.Receive(0, P(0));
        Assert.Equal([0, 1], Drain(receiver));
    }

    [Fact]
    public void Payload_is_copied_so_the_packet_buffer_can_be_reused()
    {
        var receiver = new ReliableReceiver();
        byte[] packet = [7, 7];
        receiver.Receive(0, packet);
        packet[0] = 0;
        Assert.Equal([7, 7], Drain(receiver));
    }

    [Fact]
    public void Oversize_payload_is_refused_and_not_acknowledged()
    {
        var receiver = new ReliableReceiver(maxPayloadLength: 4);
        var outcome = receiver.Receive(0, new byte[5]);
        Assert.Equal(ReceiveOutcome.TooLarge, outcome);
        Assert.False(outcome.ShouldAcknowledge());
        Assert.Equal(ReceiveOutcome.Accepted, receiver.Receive(0, new byte[4]));
    }

    [Fact]
    public void Empty_reset_payload_is_delivered_as_empty_and_advances_the_window()
    {
        var receiver = new ReliableReceiver();
        receiver.Receive(0, []);
        Assert.True(receiver.TryTakeNext(out var payload));
        Assert.True(payload.IsEmpty);
        Assert.Equal(1u, receiver.NextExpected);
    }

    [Fact]
    public void Ids_compare_across_the_u32_wrap()
    {
        var receiver = new ReliableReceiver();
        // Walk next-expected up to just below the wrap by feeding and draining.
        for (uint id = 0; id < 3; id++) { receiver.Receive(id, P(0)); receiver.TryTakeNext(out _); }
        Assert.Equal(ReceiveOutcome.Duplicate, receiver.Receive(uint.MaxValue, P(0)));
    }
}

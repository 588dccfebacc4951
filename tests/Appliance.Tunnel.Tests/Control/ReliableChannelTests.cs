using Appliance.Tunnel.Control.Reliability;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tunnel.Tests.ControlChannel;

public class ReliableChannelTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Client_reset_is_answered_by_our_reset_acknowledging_it()
    {
        var server = new ReliableChannel(0, time: _time);
        Assert.Equal(ReceiveOutcome.Accepted, server.ReceiveControl(0, [], []));
        server.Enqueue(ReliableMessageKind.Reset, ReadOnlyMemory<byte>.Empty);
        var acks = new uint[8];
        Assert.True(server.TryTakePacket(acks, out var packet));
        Assert.Equal((0u, ReliableMessageKind.Reset, 1), (packet.Message.MessageId, packet.Message.Kind, packet.AckCount));
        Assert.Equal(0u, acks[0]);
        Assert.Equal(0, server.TakePureAck(acks));
        Assert.False(server.TryTakeDelivered(out _));
    }

    [Fact]
    public void Acks_owed_with_nothing_to_send_go_out_as_pure_ack_of_up_to_eight()
    {
        var channel = new ReliableChannel(0, time: _time);
        for (uint id = 0; id < 10; id++)
            channel.ReceiveControl(id, [1], []);
        Assert.Equal(TimeSpan.Zero, channel.TimeUntilNextEvent());
        var acks = new uint[8];
        Assert.Equal(8, channel.TakePureAck(acks));
        Assert.Equal([0u, 1, 2, 3, 4, 5, 6, 7], acks);
        int n = channel.TakePureAck(acks);
        Assert.Equal(8, n);
        Assert.Equal([8u, 9, 7, 6, 5, 4, 3, 2], acks);
        Assert.Equal(0, channel.TakePureAck(acks));
    }

    [Fact]
    public void Control_packet_piggybacks_at_most_four_acks()
    {
        var channel = new ReliableChannel(0, time: _time);
        for (uint id = 0; id < 6; id++)
            channel.ReceiveControl(id, [1], []);
        channel.Enqueue(ReliableMessageKind.Control, new byte[] { 9 });
        var acks = new uint[8];
        Assert.True(channel.TryTakePacket(acks, out var packet));
        Assert.Equal(4, packet.AckCount);
        // The two still owed, then recently acknowledged ids in the free room.
        Assert.Equal(6, channel.TakePureAck(acks));
        Assert.Equal([4u, 5, 3, 2, 1, 0], acks[..6]);
    }

    [Fact]
    public void Duplicate_is_acknowledged_again_but_not_delivered_twice()
    {
        var channel = new ReliableChannel(0, time: _time);
        channel.ReceiveControl(0, [1], []);
        channel.TakePureAck(new uint[8]);
        Assert.Equal(ReceiveOutcome.Duplicate, channel.ReceiveControl(0, [1], []));
        var acks = new uint[8];
        Assert.Equal(1, channel.TakePureAck(acks));
        Assert.Equal(0u, acks[0]);
        Assert.True(channel.TryTakeDelivered(out _));
        Assert.False(channel.TryTakeDelivered(out _));
        Assert.Equal(1, channel.Counters.Duplicates);
    }

    [Fact]
    public void Beyond_window_packet_is_not_acknowledged()
    {
        var channel = new ReliableChannel(0, time: _time);
        Assert.Equal(ReceiveOutcome.BeyondWindow, channel.ReceiveControl(12, [1], []));
        Assert.Equal(0, channel.TakePureAck(new uint[8]));
    }

    [Fact]
    public void Piggybacked_acks_release_our_messages()
    {
        var channel = new ReliableChannel(0, time: _time);
        channel.Enqueue(ReliableMessageKind.Reset, ReadOnlyMemory<byte>.Empty);
        channel.TryTakePacket(new uint[8], out _);
        Assert.False(channel.AllSentAcknowledged);
        channel.ReceiveControl(1, [1], [0u]);
        Assert.True(channel.AllSentAcknowledged);
    }

    [Fact]
    public void Handshake_not_finished_within_60s_is_reported_expired()
    {
        var channel = new ReliableChannel(0, time: _time);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(60), channel.HandshakeDeadline);
        Assert.Equal(TimeSpan.FromSeconds(60), channel.TimeUntilNextEvent());
        _time.Advance(TimeSpan.FromSeconds(59.9));
        Assert.Equal(HandshakeStatus.Negotiating, channel.Status);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(HandshakeStatus.Expired, channel.Status);
    }

    [Fact]
    public void Established_key_state_no_longer_expires()
    {
        var channel = new ReliableChannel(0, time: _time);
        channel.MarkEstablished();
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(HandshakeStatus.Established, channel.Status);
        Assert.Equal(Timeout.InfiniteTimeSpan, channel.TimeUntilNextEvent());
    }

    [Fact]
    public void Wake_up_is_the_earlier_of_retransmit_and_deadline()
    {
        var channel = new ReliableChannel(0, time: _time);
        channel.Enqueue(ReliableMessageKind.Control, new byte[] { 1 });
        channel.TryTakePacket(new uint[8], out _);
        Assert.Equal(TimeSpan.FromSeconds(2), channel.TimeUntilNextEvent());
    }

    [Fact]
    public void Invalid_options_are_refused_naming_the_setting()
    {
        var e = Assert.Throws<ArgumentException>(() => new ReliableChannel(0, new ReliabilityOptions { MaxPureAcks = 9 }, _time));
        Assert.Contains("MaxPureAcks", e.Message);
    }
}

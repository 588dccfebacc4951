using Appliance.Tunnel.Control.Reliability;
using Appliance.Tunnel.Control.Tls;

namespace Appliance.Tunnel.Tests.ControlChannel;

public class ControlChannelStreamTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Write_is_cut_into_chunks_of_at_most_1100_bytes_queued_in_the_sender()
    {
        var stream = new ControlChannelStream();
        var channel = new ReliableChannel(0);
        byte[] data = Enumerable.Range(0, 2500).Select(i => (byte)i).ToArray();
        await stream.WriteAsync(data).AsTask().WaitAsync(Timeout);
        Assert.True(stream.Exchange(channel));
        var lengths = new List<int>();
        var all = new List<byte>();
        var acks = new uint[8];
        while (channel.TryTakePacket(acks, out var packet))
        {
            Assert.Equal(ReliableMessageKind.Control, packet.Message.Kind);
            lengths.Add(packet.Message.Payload.Length);
            all.AddRange(packet.Message.Payload.ToArray());
        }
        Assert.Equal([1100, 1100, 300], lengths);
        Assert.Equal(data, all);
    }

    [Fact]
    public async Task Written_bytes_are_copied_so_tls_may_reuse_its_buffer()
    {
        var stream = new ControlChannelStream();
        byte[] data = [1, 2, 3];
        await stream.WriteAsync(data);
        data[0] = 9;
        Assert.True(stream.TryTakeOutbound(out var chunk));
        Assert.Equal([1, 2, 3], chunk.ToArray());
    }

    [Fact]
    public async Task Reads_yield_delivered_payloads_in_order_across_read_sizes()
    {
        var stream = new ControlChannelStream();
        var channel = new ReliableChannel(0);
        channel.ReceiveControl(1, [3, 4, 5], []);
        channel.ReceiveControl(0, [1, 2], []);
        stream.Exchange(channel);
        var buffer = new byte[2];
        var read = new List<byte>();
        while (read.Count < 5)
        {
            int n = await stream.ReadAsync(buffer).AsTask().WaitAsync(Timeout);
            read.AddRange(buffer[..n]);
        }
        Assert.Equal([1, 2, 3, 4, 5], read);
    }

    [Fact]
    public async Task Read_returns_zero_after_close_once_queued_bytes_are_drained()
    {
        var stream = new ControlChannelStream();
        Assert.True(stream.TryDeliverInbound(new byte[] { 7 }));
        var pending = stream.ReadAsync(new byte[4]).AsTask();
        Assert.Equal(1, await pending.WaitAsync(Timeout));
        var blocked = stream.ReadAsync(new byte[4]).AsTask();
        Assert.False(blocked.IsCompleted);
        stream.CompleteInbound();
        Assert.Equal(0, await blocked.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Writer_waits_when_the_outbound_queue_is_full_and_resumes_when_the_loop_drains_it()
    {
        var stream = new ControlChannelStream(maxChunkLength: 10, outboundCapacity: 2);
        var write = stream.WriteAsync(new byte[50]).AsTask();
        await Task.Delay(50);
        Assert.False(write.IsCompleted);
        var channel = new ReliableChannel(0);
        while (!write.IsCompleted)
        {
            stream.Exchange(channel);
            await Task.Delay(5);
        }
        await write.WaitAsync(Timeout);
        stream.Exchange(channel);
        Assert.Equal(5, channel.Sender.InFlightCount);
    }

    [Fact]
    public void Inbound_payloads_stay_in_the_receive_window_while_tls_is_not_reading()
    {
        var stream = new ControlChannelStream(inboundCapacity: 2);
        var channel = new ReliableChannel(0);
        for (uint id = 0; id < 5; id++)
            channel.ReceiveControl(id, [(byte)id], []);
        stream.Exchange(channel);
        Assert.Equal(3, channel.Receiver.BufferedCount);
    }

    [Fact]
    public async Task Activity_wakes_the_loop_when_tls_writes()
    {
        var stream = new ControlChannelStream();
        var wait = stream.WaitForActivityAsync().AsTask();
        Assert.False(wait.IsCompleted);
        await stream.WriteAsync(new byte[] { 1 });
        await wait.WaitAsync(Timeout);
    }
}

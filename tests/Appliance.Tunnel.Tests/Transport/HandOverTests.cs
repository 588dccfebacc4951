using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Appliance.Tunnel.Transport;

namespace Appliance.Tunnel.Tests.Transport;

/// <summary>A listener handed to the next process (restart, upgrade) loses nothing: what arrived before the hand-over is
/// handled here, what arrives after it waits in the kernel for the next process, and the socket is never shut down.</summary>
public sealed class HandOverTests
{
    [Fact]
    public async Task A_udp_socket_handed_over_delivers_each_datagram_once_to_the_old_or_the_new_receiver_and_never_the_wake_up()
    {
        var old = new RecordingReceiver();
        var transport = UdpTransport.Start(new IPEndPoint(IPAddress.Loopback, 0), old);
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.Connect(transport.LocalEndPoint);
        sender.Send([1]);
        await WaitAsync(() => old.Datagrams.Count == 1, "datagram 1 never reached the old receiver");

        int fd = transport.HandOver();
        sender.Send([2]);
        sender.Send([3]);
        transport.Dispose();

        var next = new RecordingReceiver();
        using var adopted = UdpTransport.Adopt(new Socket(new SafeSocketHandle(fd, ownsHandle: true)), next);
        await WaitAsync(() => next.Datagrams.Count == 2, $"the new receiver got {next.Datagrams.Count} of the 2 datagrams sent after the hand-over");
        Assert.Equal([(byte)1], old.Datagrams.Select(d => d[0]));
        Assert.Equal([(byte)2, (byte)3], next.Datagrams.Select(d => d[0]));
        Assert.Equal(transport.LocalEndPoint, adopted.LocalEndPoint);
    }

    [Fact]
    public async Task A_tcp_listener_handed_over_still_accepts_for_the_next_process()
    {
        var old = new RecordingReceiver();
        var transport = TcpTransport.Start(new IPEndPoint(IPAddress.Loopback, 0), old);
        int fd = transport.HandOver();
        transport.Dispose();

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(transport.LocalEndPoint);
        using var listener = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        using var accepted = await listener.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(client.LocalEndPoint, accepted.RemoteEndPoint);
        Assert.Equal(0, old.Opened);
    }

    private static async Task WaitAsync(Func<bool> done, string failure)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(10);
        }
    }

    private sealed class RecordingReceiver : IPacketReceiver
    {
        public ConcurrentQueue<byte[]> Datagrams { get; } = new();
        public int Opened;

        public void OnDatagram(Span<byte> packet, SocketAddress from, IDatagramSocket socket) => Datagrams.Enqueue(packet.ToArray());
        public void OnStreamOpened(IStreamLink link) => Interlocked.Increment(ref Opened);
        public void OnStreamPacket(Span<byte> packet, IStreamLink link) { }
        public void OnStreamClosed(IStreamLink link) { }
        public void OnReceiveFault(Exception fault, int length) { }
    }
}

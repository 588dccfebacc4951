using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Appliance.Tunnel.Transport;

namespace Appliance.Tunnel.Tests.Transport;

/// <summary>A receive loop outlives a receiver that throws (issue 11: "receive loops never die"): a bug in one packet's
/// handling costs that packet, never the listener.</summary>
/// <remarks>Against a transport that lets the exception escape its UDP thread, the UDP test ends the whole test process.
/// The fault must also be handed to <see cref="IPacketReceiver.OnReceiveFault"/> once, with the packet's length.</remarks>
public sealed class ReceiveLoopTests
{
    [Fact]
    public async Task Udp_receive_loop_goes_on_after_the_receiver_throws()
    {
        var receiver = new ReceiverThatThrowsOnItsFirstPacket();
        using var transport = UdpTransport.Start(new IPEndPoint(IPAddress.Loopback, 0), receiver);
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.Connect(transport.LocalEndPoint);

        sender.Send([1]);
        await WaitAsync(() => receiver.Thrown == 1, "the first datagram never reached the receiver");
        sender.Send([2]);
        sender.Send([3]);

        await WaitAsync(() => receiver.Later.Count == 2,
            $"after the receiver threw on datagram 1, the UDP loop delivered {receiver.Later.Count} of the 2 datagrams sent next");
        Assert.Equal(new byte[] { 2, 3 }, receiver.Later.Order().ToArray());
        Assert.Equal(1, receiver.Faults);
    }

    [Fact]
    public async Task Tcp_connection_goes_on_after_the_receiver_throws()
    {
        var receiver = new ReceiverThatThrowsOnItsFirstPacket();
        using var transport = TcpTransport.Start(new IPEndPoint(IPAddress.Loopback, 0), receiver);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(transport.LocalEndPoint);

        client.Send(Framed(1));
        await WaitAsync(() => receiver.Thrown == 1, "the first packet never reached the receiver");
        client.Send(Framed(2));
        client.Send(Framed(3));

        await WaitAsync(() => receiver.Later.Count == 2,
            $"after the receiver threw on packet 1, the TCP connection delivered {receiver.Later.Count} of the 2 packets sent next" +
            (receiver.Closed > 0 ? " (the server closed the connection)" : ""));
        Assert.Equal(new byte[] { 2, 3 }, receiver.Later.Order().ToArray());
        Assert.Equal(0, receiver.Closed);
        Assert.Equal(1, receiver.Faults);
    }

    /// <summary>§1.1: u16 big-endian length, then the packet.</summary>
    private static byte[] Framed(byte value)
    {
        var framed = new byte[3];
        BinaryPrimitives.WriteUInt16BigEndian(framed, 1);
        framed[2] = value;
        return framed;
    }

    private static async Task WaitAsync(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(20);
        }
    }

    private sealed class ReceiverThatThrowsOnItsFirstPacket : IPacketReceiver
    {
        private int _thrown;
        private int _closed;
        private int _faults;

        /// <summary>Faults reported for the one-byte packet the receiver threw on.</summary>
        public int Faults => Volatile.Read(ref _faults);

        public int Thrown => Volatile.Read(ref _thrown);
        public int Closed => Volatile.Read(ref _closed);
        public ConcurrentQueue<byte> Later { get; } = new();

        public void OnDatagram(Span<byte> packet, SocketAddress from, IDatagramSocket socket) => Take(packet);

        public void OnStreamPacket(Span<byte> packet, IStreamLink link) => Take(packet);

        public void OnStreamClosed(IStreamLink link) => Interlocked.Increment(ref _closed);

        public void OnReceiveFault(Exception fault, int length)
        {
            if (fault is InvalidOperationException && length == 1)
                Interlocked.Increment(ref _faults);
        }

        private void Take(Span<byte> packet)
        {
            if (Interlocked.CompareExchange(ref _thrown, 1, 0) == 0)
                throw new InvalidOperationException("a bug in the handling of one packet");
            Later.Enqueue(packet[0]);
        }
    }
}

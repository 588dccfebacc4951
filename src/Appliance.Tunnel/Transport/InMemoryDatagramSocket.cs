using System.Collections.Concurrent;
using System.Net;

namespace Appliance.Tunnel.Transport;

/// <summary>The test double of <see cref="UdpTransport"/>: datagrams are delivered to the receiver by a call, and what
/// the receiver sends is queued for the test to read. The whole session layer runs over it in one process.</summary>
/// <remarks>Delivery follows <see cref="UdpTransport"/>'s contract: the receiver's exceptions are reported to it, the
/// <see cref="SocketAddress"/> is reused, the packet buffer may be changed in place.</remarks>
public sealed class InMemoryDatagramSocket(IPacketReceiver receiver) : IDatagramSocket
{
    private readonly ConcurrentQueue<SentDatagram> _sent = new();
    private readonly Lock _deliverLock = new();
    private readonly byte[] _buffer = new byte[65535];
    private long _sentCount;

    /// <summary>Datagrams sent so far.</summary>
    public long SentCount => Interlocked.Read(ref _sentCount);

    /// <summary>Delivers one datagram as if it came from <paramref name="from"/>; one at a time, like a receive thread.</summary>
    public void Deliver(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        ArgumentNullException.ThrowIfNull(from);
        lock (_deliverLock)
        {
            datagram.CopyTo(_buffer);
            UdpTransport.Deliver(receiver, _buffer.AsSpan(0, datagram.Length), from.Serialize(), this);
        }
    }

    public bool SendTo(ReadOnlySpan<byte> datagram, SocketAddress to)
    {
        var template = to.Family == System.Net.Sockets.AddressFamily.InterNetwork ? new IPEndPoint(IPAddress.Any, 0) : new IPEndPoint(IPAddress.IPv6Any, 0);
        _sent.Enqueue(new SentDatagram((IPEndPoint)template.Create(to), datagram.ToArray()));
        Interlocked.Increment(ref _sentCount);
        return true;
    }

    /// <summary>Takes the oldest datagram sent and not yet taken.</summary>
    public bool TryTake(out SentDatagram sent) => _sent.TryDequeue(out sent!);

    /// <summary>Takes every datagram sent so far.</summary>
    public IReadOnlyList<SentDatagram> TakeAll()
    {
        var all = new List<SentDatagram>();
        while (_sent.TryDequeue(out var sent))
            all.Add(sent);
        return all;
    }
}

/// <summary>One datagram an <see cref="InMemoryDatagramSocket"/> was asked to send.</summary>
public sealed record SentDatagram(IPEndPoint To, byte[] Datagram);

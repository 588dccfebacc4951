using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Appliance.Tunnel.Tests.Support;

/// <summary>Sends UDP datagrams with a source address and port of our choosing (a raw IPv4 socket with IP_HDRINCL; needs root),
/// as an attacker on the path would. Loopback only: the destination must be in 127.0.0.0/8.</summary>
internal sealed class SpoofedUdpSender : IDisposable
{
    private readonly Socket _raw = new(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Udp);
    private ushort _identification = (ushort)Random.Shared.Next(1, ushort.MaxValue);

    public SpoofedUdpSender()
    {
        _raw.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.HeaderIncluded, true);
    }

    /// <summary>Sends <paramref name="payload"/> to <paramref name="to"/> as if it came from <paramref name="from"/>.</summary>
    public void Send(ReadOnlySpan<byte> payload, IPEndPoint from, IPEndPoint to)
    {
        if (!IsLoopback(from.Address) || !IsLoopback(to.Address))
            throw new ArgumentException($"spoofed datagrams stay on loopback (127.0.0.0/8); got {from} -> {to}");
        var datagram = new byte[20 + 8 + payload.Length];
        // RFC 791 header: version 4, IHL 5; the kernel fills in the checksum (and the length) for IP_HDRINCL.
        datagram[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(2), (ushort)datagram.Length);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(4), _identification++);
        datagram[8] = 64;
        datagram[9] = (byte)ProtocolType.Udp;
        from.Address.TryWriteBytes(datagram.AsSpan(12, 4), out _);
        to.Address.TryWriteBytes(datagram.AsSpan(16, 4), out _);
        // RFC 768: checksum 0 = none, which IPv4 allows.
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(20), (ushort)from.Port);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(22), (ushort)to.Port);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(24), (ushort)(8 + payload.Length));
        payload.CopyTo(datagram.AsSpan(28));
        _raw.SendTo(datagram, new IPEndPoint(to.Address, 0));
    }

    private static bool IsLoopback(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork && address.GetAddressBytes()[0] == 127;

    public void Dispose() => _raw.Dispose();
}

using System.Net;

namespace Appliance.Tunnel.Transport;

/// <summary>A peer behind a UDP address on a shared socket. The address may change (float) once the peer proves itself.</summary>
public sealed class UdpPeerLink : IPeerLink
{
    private readonly IDatagramSocket _transport;
    private SocketAddress _address;
    private string _remote;

    public UdpPeerLink(IDatagramSocket transport, SocketAddress address)
    {
        _transport = transport;
        _address = Copy(address);
        _remote = Describe(_address);
    }

    public SocketAddress Address => Volatile.Read(ref _address);
    public string Remote => Volatile.Read(ref _remote);
    public bool IsDatagram => true;

    public bool Send(Span<byte> buffer, int offset, int length) => _transport.SendTo(buffer.Slice(offset, length), Address);

    /// <summary>Points the link at a new address (NAT rebinding); returns the copy now in use.</summary>
    public SocketAddress MoveTo(SocketAddress address)
    {
        var copy = Copy(address);
        Volatile.Write(ref _remote, Describe(copy));
        Volatile.Write(ref _address, copy);
        return copy;
    }

    public void Close()
    {
    }

    public static SocketAddress Copy(SocketAddress address)
    {
        var copy = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span[..address.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }

    public static string Describe(SocketAddress address)
    {
        var template = address.Family == System.Net.Sockets.AddressFamily.InterNetwork ? new IPEndPoint(IPAddress.Any, 0) : new IPEndPoint(IPAddress.IPv6Any, 0);
        var endPoint = (IPEndPoint)template.Create(address);
        var ip = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        return "udp " + new IPEndPoint(ip, endPoint.Port);
    }

    public override string ToString() => Remote;
}

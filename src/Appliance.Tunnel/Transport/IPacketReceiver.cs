using System.Net;

namespace Appliance.Tunnel.Transport;

/// <summary>Who takes the packets a transport receives: the tunnel server.</summary>
public interface IPacketReceiver
{
    /// <summary>One UDP datagram. <paramref name="from"/> is reused by the next receive: copy it to keep it.
    /// The packet buffer may be changed in place (decryption) and is reused after the call.</summary>
    void OnDatagram(Span<byte> packet, SocketAddress from, UdpTransport transport);

    /// <summary>One packet from a TCP connection (length prefix removed). Called from that connection's reader only.</summary>
    void OnStreamPacket(Span<byte> packet, TcpPeerLink link);

    /// <summary>A TCP connection ended (peer closed, error, or <see cref="IPeerLink.Close"/>).</summary>
    void OnStreamClosed(TcpPeerLink link);
}

using System.Net;

namespace Appliance.Tunnel.Transport;

/// <summary>Who takes the packets a transport receives: the tunnel server.</summary>
/// <remarks>
/// A transport calls these on its receive thread (UDP) or a connection's reader (TCP). An exception thrown by a
/// handler never ends that loop: the transport reports it to <see cref="OnReceiveFault"/> and reads the next packet.
/// </remarks>
public interface IPacketReceiver
{
    /// <summary>One UDP datagram. <paramref name="from"/> is reused by the next receive: copy it to keep it.
    /// The packet buffer may be changed in place (decryption) and is reused after the call.</summary>
    void OnDatagram(Span<byte> packet, SocketAddress from, IDatagramSocket socket);

    /// <summary>A TCP connection was accepted; no packet has come yet.</summary>
    void OnStreamOpened(IStreamLink link)
    {
    }

    /// <summary>One packet from a TCP connection (length prefix removed). Called from that connection's reader only.</summary>
    void OnStreamPacket(Span<byte> packet, IStreamLink link);

    /// <summary>A TCP connection ended (peer closed, error, deadline, eviction, or <see cref="IPeerLink.Close"/>).</summary>
    void OnStreamClosed(IStreamLink link);

    /// <summary>A handler above threw while taking a packet of <paramref name="length"/> bytes: a bug, counted and
    /// logged by the receiver. Must not throw.</summary>
    void OnReceiveFault(Exception fault, int length);
}

using System.Net;

namespace Appliance.Tunnel.Transport;

/// <summary>A datagram socket shared by many peers: what a <see cref="UdpPeerLink"/> sends through.</summary>
/// <remarks>The real one is <see cref="UdpTransport"/>; <see cref="InMemoryDatagramSocket"/> is its test double.</remarks>
public interface IDatagramSocket
{
    /// <summary>Sends one datagram to <paramref name="to"/>; false on an error (counted by the caller). Thread-safe.</summary>
    bool SendTo(ReadOnlySpan<byte> datagram, SocketAddress to);
}

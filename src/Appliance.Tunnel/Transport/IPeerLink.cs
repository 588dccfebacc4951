namespace Appliance.Tunnel.Transport;

/// <summary>The way back to one remote peer: a UDP address on a shared socket, or one TCP connection.</summary>
public interface IPeerLink
{
    /// <summary>Bytes a packet needs in front of it for the link's own framing (TCP's 2-byte length).</summary>
    const int Headroom = 2;

    /// <summary>Sends one OpenVPN packet, found at <paramref name="buffer"/>[<paramref name="offset"/>..] with at least
    /// <see cref="Headroom"/> writable bytes before it. Thread-safe. False when the link is gone or refused the packet.</summary>
    bool Send(Span<byte> buffer, int offset, int length);

    /// <summary>"udp 203.0.113.5:51820" or "tcp 203.0.113.5:40112", for operators.</summary>
    string Remote { get; }

    /// <summary>True for UDP, whose peers may move to another address (NAT rebinding).</summary>
    bool IsDatagram { get; }

    /// <summary>Ends the link (closes a TCP connection; nothing for UDP).</summary>
    void Close();
}

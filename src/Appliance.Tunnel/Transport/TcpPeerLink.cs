using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Appliance.Tunnel.Transport;

/// <summary>One client's TCP connection: packets framed by a big-endian u16 length (§1.1).</summary>
public sealed class TcpPeerLink : IStreamLink
{
    private const int MaxPacket = 65535;
    private readonly Socket _socket;
    private readonly Lock _sendLock = new();
    private volatile bool _closed;

    internal TcpPeerLink(Socket socket, long acceptedAt)
    {
        _socket = socket;
        AcceptedAt = acceptedAt;
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        var ip = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
        RemoteAddress = ip;
        Remote = "tcp " + new IPEndPoint(ip, remote.Port);
    }

    public string Remote { get; }
    public IPAddress RemoteAddress { get; }
    public bool IsDatagram => false;

    /// <summary>The session this connection belongs to, set by the server once it exists.</summary>
    public object? Owner { get; set; }

    public bool IsAuthenticated
    {
        get => _authenticated;
        set => _authenticated = value;
    }
    private volatile bool _authenticated;

    /// <summary>When the connection was accepted (a <see cref="TimeProvider"/> timestamp).</summary>
    internal long AcceptedAt { get; }

    /// <summary>True once one whole packet has been read.</summary>
    internal bool HasReceived => _received;
    private volatile bool _received;

    internal bool IsClosed => _closed;

    public bool Send(Span<byte> buffer, int offset, int length)
    {
        if (_closed || offset < IPeerLink.Headroom || length > MaxPacket)
            return false;
        BinaryPrimitives.WriteUInt16BigEndian(buffer.Slice(offset - 2, 2), (ushort)length);
        var framed = buffer.Slice(offset - 2, length + 2);
        try
        {
            lock (_sendLock)
            {
                while (!framed.IsEmpty)
                {
                    int sent = _socket.Send(framed, SocketFlags.None);
                    framed = framed[sent..];
                }
            }
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Close();
            return false;
        }
    }

    internal async Task ReadPacketsAsync(IPacketReceiver receiver, CancellationToken stop)
    {
        var buffer = new byte[MaxPacket + 2];
        int filled = 0;
        while (!_closed)
        {
            int read;
            try
            {
                read = await _socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
            if (read == 0)
                return;
            filled += read;
            int start = 0;
            while (filled - start >= 2)
            {
                int length = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(start, 2));
                if (filled - start - 2 < length)
                    break;
                if (length > 0)
                {
                    _received = true;
                    try
                    {
                        receiver.OnStreamPacket(buffer.AsSpan(start + 2, length), this);
                    }
                    catch (Exception e)
                    {
                        UdpTransport.ReportFault(receiver, e, length);
                    }
                }
                start += 2 + length;
            }
            if (start > 0)
            {
                buffer.AsSpan(start, filled - start).CopyTo(buffer);
                filled -= start;
            }
        }
    }

    public void Close()
    {
        if (_closed)
            return;
        _closed = true;
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        _socket.Dispose();
    }

    public override string ToString() => Remote;
}

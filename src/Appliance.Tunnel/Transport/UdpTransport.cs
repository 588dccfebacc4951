using System.Net;
using System.Net.Sockets;

namespace Appliance.Tunnel.Transport;

/// <summary>One UDP socket: a dedicated receive thread hands every datagram to the <see cref="IPacketReceiver"/>; an
/// exception from the receiver is reported to it and the loop goes on.</summary>
/// <remarks>
/// The receive loop allocates nothing per datagram (one buffer, one reused <see cref="SocketAddress"/>). Sends are
/// thread-safe. Outer IP fragmentation is allowed on purpose (DF off, PMTU discovery off): a 1514-byte PPPoE frame
/// becomes a 1566-byte IPv4 datagram, which must still cross a 1500 (or 1280) underlay.
/// </remarks>
public sealed class UdpTransport : IDatagramSocket, IDisposable
{
    private const int MaxDatagram = 65535;
    private readonly Socket _socket;
    private readonly IPacketReceiver _receiver;
    private readonly Thread _thread;
    private volatile bool _stopping;

    private UdpTransport(Socket socket, IPacketReceiver receiver)
    {
        _socket = socket;
        _receiver = receiver;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _thread = new Thread(ReceiveLoop) { IsBackground = true, Name = $"udp {LocalEndPoint}" };
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Datagrams the socket reported as errors while receiving (e.g. ICMP port unreachable on Linux).</summary>
    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);
    private long _receiveErrors;

    /// <summary>Binds <paramref name="endPoint"/> (IPv6 any also takes IPv4) and starts receiving.</summary>
    public static UdpTransport Start(IPEndPoint endPoint, IPacketReceiver receiver)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
                socket.DualMode = true;
            if (endPoint.AddressFamily == AddressFamily.InterNetwork)
                socket.DontFragment = false;
            AllowFragmentation(socket);
            socket.ReceiveBufferSize = 4 << 20;
            socket.SendBufferSize = 4 << 20;
            socket.Bind(endPoint);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new InvalidOperationException($"cannot listen on udp {endPoint}: {e.Message} ({e.SocketErrorCode}); choose a free port or address", e);
        }
        var transport = new UdpTransport(socket, receiver);
        transport.BeginReceiving();
        return transport;
    }

    /// <summary>Takes over the bound UDP socket of the previous process (restart or upgrade): its address, options and the
    /// datagrams queued meanwhile are the kernel's and stay as they were. Receiving starts now or, when
    /// <paramref name="receive"/> is false, at <see cref="BeginReceiving"/> (once the sessions those datagrams belong to
    /// are back).</summary>
    public static UdpTransport Adopt(Socket socket, IPacketReceiver receiver, bool receive = true)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (socket.SocketType != SocketType.Dgram || socket.LocalEndPoint is not IPEndPoint)
            throw new InvalidOperationException($"the handed-over socket is not a bound UDP socket ({socket.SocketType})");
        var transport = new UdpTransport(socket, receiver);
        if (receive)
            transport.BeginReceiving();
        return transport;
    }

    /// <summary>Starts the receive loop of an adopted socket; does nothing when it runs already.</summary>
    public void BeginReceiving()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
            _thread.Start();
    }

    private int _started;

    /// <summary>
    /// Stops receiving without closing the socket and returns a second fd of it (close-on-exec) for the next process.
    /// Every datagram queued before the stop is still handed to the receiver; those after it stay queued in the kernel
    /// for the next process. The loop is woken by one datagram from loopback to the socket itself, which is not delivered.
    /// </summary>
    public int HandOver()
    {
        int fd = Duplicate(_socket);
        using (var wake = new Socket(_socket.AddressFamily, SocketType.Dgram, ProtocolType.Udp))
        {
            var target = LocalEndPoint.Address.Equals(IPAddress.Any) ? new IPEndPoint(IPAddress.Loopback, LocalEndPoint.Port)
                : LocalEndPoint.Address.Equals(IPAddress.IPv6Any) ? new IPEndPoint(IPAddress.IPv6Loopback, LocalEndPoint.Port)
                : LocalEndPoint;
            wake.Bind(new IPEndPoint(target.Address, 0));
            _wakeFrom = wake.LocalEndPoint!.Serialize();
            Volatile.Write(ref _handingOver, true);
            _stopping = true;
            wake.SendTo([0], target);
            if (Volatile.Read(ref _started) != 0 && !_thread.Join(TimeSpan.FromSeconds(2)))
                throw new InvalidOperationException($"udp {LocalEndPoint}: the receive loop did not stop for the hand-over");
        }
        return fd;
    }

    private SocketAddress? _wakeFrom;
    private bool _handingOver;

    internal static int Duplicate(Socket socket)
    {
        const int FDupFdCloexec = 1030;
        int fd = Devices.Linux.LinuxNative.Fcntl((int)socket.SafeHandle.DangerousGetHandle(), FDupFdCloexec, 0);
        if (fd < 0)
            throw new InvalidOperationException($"cannot duplicate the socket of {socket.LocalEndPoint} for the hand-over: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        return fd;
    }

    /// <summary>IP_MTU_DISCOVER = IP_PMTUDISC_DONT: the kernel fragments large datagrams instead of dropping them with EMSGSIZE.</summary>
    private static void AllowFragmentation(Socket socket)
    {
        const int IpMtuDiscover = 10, Ipv6MtuDiscover = 23, PmtuDiscDont = 0;
        if (!OperatingSystem.IsLinux())
            return;
        try
        {
            if (socket.AddressFamily == AddressFamily.InterNetwork || socket.DualMode)
                socket.SetRawSocketOption(0 /* SOL_IP */, IpMtuDiscover, BitConverter.GetBytes(PmtuDiscDont));
            if (socket.AddressFamily == AddressFamily.InterNetworkV6)
                socket.SetRawSocketOption(41 /* SOL_IPV6 */, Ipv6MtuDiscover, BitConverter.GetBytes(PmtuDiscDont));
        }
        catch (SocketException)
        {
            // Not fatal: fragmentation then follows the kernel default (PMTU discovery).
        }
    }

    /// <summary>Sends one datagram to <paramref name="to"/>; false on a socket error (counted by the caller).</summary>
    public bool SendTo(ReadOnlySpan<byte> datagram, SocketAddress to)
    {
        try
        {
            return _socket.SendTo(datagram, SocketFlags.None, to) == datagram.Length;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    private void ReceiveLoop()
    {
        var buffer = GC.AllocateArray<byte>(MaxDatagram, pinned: true);
        var from = new SocketAddress(_socket.AddressFamily);
        while (true)
        {
            if (_stopping && !Volatile.Read(ref _handingOver))
                return;
            int received;
            try
            {
                received = _socket.ReceiveFrom(buffer, SocketFlags.None, from);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize or SocketError.Interrupted)
            {
                Interlocked.Increment(ref _receiveErrors);
                continue;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (_stopping)
                    return;
                Interlocked.Increment(ref _receiveErrors);
                Thread.Sleep(10);
                continue;
            }
            if (Volatile.Read(ref _handingOver) && _wakeFrom is { } wake && from.Equals(wake))
                return;
            Deliver(_receiver, buffer.AsSpan(0, received), from, this);
        }
    }

    /// <summary>Hands one datagram to the receiver; whatever it throws is reported to it, never to the loop.</summary>
    internal static void Deliver(IPacketReceiver receiver, Span<byte> datagram, SocketAddress from, IDatagramSocket socket)
    {
        int length = datagram.Length;
        try
        {
            receiver.OnDatagram(datagram, from, socket);
        }
        catch (Exception e)
        {
            ReportFault(receiver, e, length);
        }
    }

    internal static void ReportFault(IPacketReceiver receiver, Exception fault, int length)
    {
        try
        {
            receiver.OnReceiveFault(fault, length);
        }
        catch (Exception)
        {
            // The fault handler itself failed: nothing sensible is left to do with this packet, but the loop goes on.
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _socket.Dispose();
        if (Thread.CurrentThread != _thread && Volatile.Read(ref _started) != 0)
            _thread.Join(TimeSpan.FromSeconds(5));
    }

    public override string ToString() => $"udp {LocalEndPoint}";
}

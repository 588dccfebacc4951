using System.Net;
using System.Net.Sockets;

namespace Appliance.Tunnel.Transport;

/// <summary>A TCP listener: each connection becomes a <see cref="TcpPeerLink"/> whose packets (u16 length + packet, §1.1) go to the receiver.</summary>
/// <remarks>
/// Unauthenticated connections are bounded on their own (<see cref="TcpLimits"/>): in total and per remote address, the
/// oldest closed first to make room, and each closed when it sends nothing by the first-packet deadline or has not
/// authenticated by the handshake deadline. Connections of authenticated sessions are never closed to make room.
/// </remarks>
public sealed class TcpTransport : IDisposable
{
    private readonly Socket _listener;
    private readonly IPacketReceiver _receiver;
    private readonly TcpLimits _limits;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly ITimer _sweep;
    private readonly Lock _pendingLock = new();
    /// <summary>Connections not yet authenticated, oldest first (closed or authenticated ones are pruned lazily).</summary>
    private readonly List<TcpPeerLink> _pending = [];
    private int _connections;

    private TcpTransport(Socket listener, IPacketReceiver receiver, TcpLimits limits, TimeProvider time)
    {
        _listener = listener;
        _receiver = receiver;
        _limits = limits;
        _time = time;
        LocalEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _sweep = time.CreateTimer(_ => Sweep(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        _accepting = Task.Run(AcceptLoopAsync);
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Connections refused because <see cref="TcpLimits.MaxConnections"/> were open.</summary>
    public long RefusedConnections => Interlocked.Read(ref _refused);
    private long _refused;

    /// <summary>Unauthenticated connections closed to make room for newer ones (in total or per source).</summary>
    public long EvictedConnections => Interlocked.Read(ref _evicted);
    private long _evicted;

    /// <summary>Connections closed because they sent nothing, or did not authenticate, in time.</summary>
    public long ExpiredConnections => Interlocked.Read(ref _expired);
    private long _expired;

    /// <summary>Open connections, authenticated or not.</summary>
    public int OpenConnections => Volatile.Read(ref _connections);

    public static TcpTransport Start(IPEndPoint endPoint, IPacketReceiver receiver, TcpLimits? limits = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        limits ??= TcpLimits.Default;
        var errors = limits.Validate();
        if (errors.Count > 0)
            throw new ArgumentException("invalid TCP limits: " + string.Join("; ", errors), nameof(limits));
        var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
                listener.DualMode = true;
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(endPoint);
            listener.Listen(1024);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new InvalidOperationException($"cannot listen on tcp {endPoint}: {e.Message} ({e.SocketErrorCode}); choose a free port or address", e);
        }
        return new TcpTransport(listener, receiver, limits, time ?? TimeProvider.System);
    }

    /// <summary>Takes over the listening socket of the previous process (restart or upgrade): connections waiting in its
    /// backlog are accepted here.</summary>
    public static TcpTransport Adopt(Socket listener, IPacketReceiver receiver, TcpLimits? limits = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(listener);
        limits ??= TcpLimits.Default;
        if (listener.SocketType != SocketType.Stream || listener.LocalEndPoint is not IPEndPoint)
            throw new InvalidOperationException($"the handed-over socket is not a bound TCP socket ({listener.SocketType})");
        return new TcpTransport(listener, receiver, limits, time ?? TimeProvider.System);
    }

    /// <summary>Stops accepting and returns a second fd of the listening socket (close-on-exec) for the next process; the
    /// listener itself is left open, never shut down (that would close it for the next process too). Connections already
    /// accepted stop being read: their sessions are not carried over and their clients reconnect.</summary>
    public int HandOver()
    {
        int fd = UdpTransport.Duplicate(_listener);
        _sweep.Dispose();
        _stop.Cancel();
        try
        {
            _accepting.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        return fd;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            if (Interlocked.Increment(ref _connections) > _limits.MaxConnections)
            {
                Interlocked.Decrement(ref _connections);
                Interlocked.Increment(ref _refused);
                socket.Dispose();
                continue;
            }
            TcpPeerLink link;
            try
            {
                socket.NoDelay = true;
                link = new TcpPeerLink(socket, _time.GetTimestamp());
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // The peer was gone before we could look at it.
                Interlocked.Decrement(ref _connections);
                socket.Dispose();
                continue;
            }
            MakeRoomFor(link);
            _ = Task.Run(() => ServeAsync(link));
        }
    }

    /// <summary>Closes the oldest unauthenticated connection of the same source, and then of all, while either is full.</summary>
    private void MakeRoomFor(TcpPeerLink link)
    {
        var evict = new List<TcpPeerLink>();
        lock (_pendingLock)
        {
            _pending.RemoveAll(static l => l.IsClosed || l.IsAuthenticated);
            int sameSource = 0;
            foreach (var pending in _pending)
            {
                if (pending.RemoteAddress.Equals(link.RemoteAddress))
                    sameSource++;
            }
            for (int i = 0; i < _pending.Count && sameSource >= _limits.MaxUnauthenticatedPerSource; i++)
            {
                if (_pending[i].RemoteAddress.Equals(link.RemoteAddress))
                {
                    evict.Add(_pending[i]);
                    _pending.RemoveAt(i--);
                    sameSource--;
                }
            }
            while (_pending.Count >= _limits.MaxUnauthenticated)
            {
                evict.Add(_pending[0]);
                _pending.RemoveAt(0);
            }
            _pending.Add(link);
        }
        foreach (var old in evict)
        {
            Interlocked.Increment(ref _evicted);
            old.Close();
        }
    }

    /// <summary>Closes connections past their first-packet or handshake deadline.</summary>
    private void Sweep()
    {
        long now = _time.GetTimestamp();
        var expired = new List<TcpPeerLink>();
        lock (_pendingLock)
        {
            _pending.RemoveAll(static l => l.IsClosed || l.IsAuthenticated);
            foreach (var link in _pending)
            {
                var age = _time.GetElapsedTime(link.AcceptedAt, now);
                if ((!link.HasReceived && age >= _limits.FirstPacketDeadline) || age >= _limits.HandshakeDeadline)
                    expired.Add(link);
            }
        }
        foreach (var link in expired)
        {
            Interlocked.Increment(ref _expired);
            link.Close();
        }
    }

    private async Task ServeAsync(TcpPeerLink link)
    {
        try
        {
            try
            {
                _receiver.OnStreamOpened(link);
            }
            catch (Exception e)
            {
                UdpTransport.ReportFault(_receiver, e, 0);
            }
            await link.ReadPacketsAsync(_receiver, _stop.Token).ConfigureAwait(false);
        }
        finally
        {
            link.Close();
            Interlocked.Decrement(ref _connections);
            try
            {
                _receiver.OnStreamClosed(link);
            }
            catch (Exception e)
            {
                UdpTransport.ReportFault(_receiver, e, 0);
            }
        }
    }

    public void Dispose()
    {
        _sweep.Dispose();
        _stop.Cancel();
        _listener.Dispose();
        try
        {
            _accepting.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }

    public override string ToString() => $"tcp {LocalEndPoint}";
}

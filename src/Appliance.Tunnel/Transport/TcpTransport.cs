using System.Net;
using System.Net.Sockets;

namespace Appliance.Tunnel.Transport;

/// <summary>A TCP listener: each connection becomes a <see cref="TcpPeerLink"/> whose packets (u16 length + packet, §1.1) go to the receiver.</summary>
public sealed class TcpTransport : IDisposable
{
    private readonly Socket _listener;
    private readonly IPacketReceiver _receiver;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly int _maxConnections;
    private int _connections;

    private TcpTransport(Socket listener, IPacketReceiver receiver, int maxConnections)
    {
        _listener = listener;
        _receiver = receiver;
        _maxConnections = maxConnections;
        LocalEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _accepting = Task.Run(AcceptLoopAsync);
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Connections refused because <c>maxConnections</c> were open.</summary>
    public long RefusedConnections => Interlocked.Read(ref _refused);
    private long _refused;

    public static TcpTransport Start(IPEndPoint endPoint, IPacketReceiver receiver, int maxConnections = 1024)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
                listener.DualMode = true;
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(endPoint);
            listener.Listen(128);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new InvalidOperationException($"cannot listen on tcp {endPoint}: {e.Message} ({e.SocketErrorCode}); choose a free port or address", e);
        }
        return new TcpTransport(listener, receiver, maxConnections);
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
            if (Interlocked.Increment(ref _connections) > _maxConnections)
            {
                Interlocked.Decrement(ref _connections);
                Interlocked.Increment(ref _refused);
                socket.Dispose();
                continue;
            }
            socket.NoDelay = true;
            var link = new TcpPeerLink(socket);
            _ = Task.Run(() => ServeAsync(link));
        }
    }

    private async Task ServeAsync(TcpPeerLink link)
    {
        try
        {
            await link.ReadPacketsAsync(_receiver, _stop.Token).ConfigureAwait(false);
        }
        finally
        {
            link.Close();
            Interlocked.Decrement(ref _connections);
            _receiver.OnStreamClosed(link);
        }
    }

    public void Dispose()
    {
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

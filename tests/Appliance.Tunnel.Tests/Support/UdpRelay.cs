using System.Net;
using System.Net.Sockets;

namespace Appliance.Tunnel.Tests.Support;

/// <summary>A NAT in a box, on loopback: the client talks to the relay, the relay to the server from an "outside" port
/// it can change (NAT rebinding), and it can send again the last data packet the client sent (a replay).</summary>
internal sealed class UdpRelay : IDisposable
{
    private readonly Socket _inside = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly IPEndPoint _server;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private Socket _outside;
    private EndPoint? _client;
    private byte[]? _lastClientData;

    public UdpRelay(IPEndPoint server)
    {
        _server = server;
        _inside.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _outside = NewOutside();
        _loops.Add(Task.Run(InsideLoopAsync));
    }

    public int Port => ((IPEndPoint)_inside.LocalEndPoint!).Port;

    /// <summary>The relay's current source port towards the server.</summary>
    public int OutsidePort => ((IPEndPoint)Volatile.Read(ref _outside).LocalEndPoint!).Port;

    /// <summary>From now on the server sees the client from another port, as after a NAT rebinding.</summary>
    public void Rebind()
    {
        var old = Interlocked.Exchange(ref _outside, NewOutside());
        old.Dispose();
    }

    /// <summary>Sends the last DATA_V2 packet the client sent to the server once more, byte for byte.</summary>
    public bool ReplayLastClientData()
    {
        byte[]? packet;
        lock (_lock)
            packet = _lastClientData;
        if (packet is null)
            return false;
        Volatile.Read(ref _outside).SendTo(packet, _server);
        return true;
    }

    private Socket NewOutside()
    {
        var outside = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        outside.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        lock (_lock)
            _loops.Add(Task.Run(() => OutsideLoopAsync(outside)));
        return outside;
    }

    private async Task InsideLoopAsync()
    {
        var buffer = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _inside.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _client = received.RemoteEndPoint;
            var packet = buffer.AsSpan(0, received.ReceivedBytes);
            if (packet.Length > 0 && packet[0] >> 3 == 9)
            {
                lock (_lock)
                    _lastClientData = packet.ToArray();
            }
            try
            {
                Volatile.Read(ref _outside).SendTo(packet, _server);
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
                // Rebinding: this one packet is lost, as with a real NAT.
            }
        }
    }

    private async Task OutsideLoopAsync(Socket outside)
    {
        var buffer = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            int received;
            try
            {
                received = await outside.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            if (_client is { } client)
                _inside.SendTo(buffer.AsSpan(0, received), client);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _inside.Dispose();
        Volatile.Read(ref _outside).Dispose();
        try
        {
            Task.WaitAll([.. _loops], TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }
}

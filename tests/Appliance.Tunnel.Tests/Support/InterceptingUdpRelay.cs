using System.Net;
using System.Net.Sockets;

namespace Appliance.Tunnel.Tests.Support;

/// <summary>A datagram the relay saw, with its direction.</summary>
internal sealed record RelayedDatagram(bool FromClient, byte[] Bytes);

/// <summary>A man in the middle on loopback: the client talks to <see cref="Port"/>, the relay to the server from
/// <see cref="OutsideEndPoint"/> (an address of our choosing in 127.0.0.0/8). It records what crosses (bounded) and can hold
/// back client packets that match <see cref="Hold"/>, to be released later or delivered by someone else first.</summary>
internal sealed class InterceptingUdpRelay : IDisposable
{
    private const int MaxRecorded = 20_000;
    private readonly Socket _inside = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Socket _outside = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly IPEndPoint _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _loops;
    private readonly List<RelayedDatagram> _recorded = [];
    private readonly List<byte[]> _held = [];
    private volatile bool _forwarding = true;
    private EndPoint? _client;

    public InterceptingUdpRelay(IPEndPoint server, IPAddress? outsideAddress = null)
    {
        _server = server;
        _inside.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _outside.Bind(new IPEndPoint(outsideAddress ?? IPAddress.Loopback, 0));
        _loops = [Task.Run(InsideLoopAsync), Task.Run(OutsideLoopAsync)];
    }

    /// <summary>Where the client sends (its <c>remote</c>).</summary>
    public int Port => ((IPEndPoint)_inside.LocalEndPoint!).Port;

    /// <summary>The address and port the server sees the client at.</summary>
    public IPEndPoint OutsideEndPoint => (IPEndPoint)_outside.LocalEndPoint!;

    /// <summary>Client packets for which this returns true are kept back instead of forwarded (see <see cref="TakeHeld"/>).</summary>
    public Func<byte[], bool>? Hold { get; set; }

    /// <summary>False: the relay drops everything in both directions (a cut cable), still recording nothing more.</summary>
    public bool Forwarding
    {
        get => _forwarding;
        set => _forwarding = value;
    }

    public IReadOnlyList<RelayedDatagram> Recorded
    {
        get
        {
            lock (_recorded)
                return [.. _recorded];
        }
    }

    /// <summary>Packets held back so far, oldest first; they are no longer held after this.</summary>
    public IReadOnlyList<byte[]> TakeHeld()
    {
        lock (_held)
        {
            var taken = _held.ToArray();
            _held.Clear();
            return taken;
        }
    }

    /// <summary>Sends a client packet to the server from the relay's outside address, as if the client had sent it now.</summary>
    public void ForwardToServer(byte[] packet) => _outside.SendTo(packet, _server);

    private void Record(bool fromClient, ReadOnlySpan<byte> packet)
    {
        lock (_recorded)
        {
            if (_recorded.Count < MaxRecorded)
                _recorded.Add(new RelayedDatagram(fromClient, packet.ToArray()));
        }
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
                if (_stop.IsCancellationRequested)
                    return;
                continue;
            }
            if (!_forwarding)
                continue;
            _client = received.RemoteEndPoint;
            var packet = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
            Record(true, packet);
            if (Hold is { } hold && hold(packet))
            {
                lock (_held)
                    _held.Add(packet);
                continue;
            }
            try
            {
                _outside.SendTo(packet, _server);
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
            }
        }
    }

    private async Task OutsideLoopAsync()
    {
        var buffer = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            int received;
            try
            {
                received = await _outside.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                    return;
                continue;
            }
            if (!_forwarding || _client is not { } client)
                continue;
            Record(false, buffer.AsSpan(0, received));
            try
            {
                _inside.SendTo(buffer.AsSpan(0, received), client);
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _inside.Dispose();
        _outside.Dispose();
        try
        {
            Task.WaitAll(_loops, TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }
}

using System.Net;
using System.Net.Sockets;
using Appliance.Tunnel.Tests.Support;
using Appliance.Tunnel.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tunnel.Tests.Transport;

/// <summary>Real loopback TCP against the listener's bounds: an idle or flooding source loses its own oldest
/// connections, never another source's, and nothing silent outlives the first-packet deadline.</summary>
public sealed class TcpTransportLimitTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly Recorder _receiver = new();
    private readonly List<Socket> _clients = [];
    private TcpTransport? _transport;

    private TcpTransport Start(TcpLimits limits) =>
        _transport = TcpTransport.Start(new IPEndPoint(IPAddress.Loopback, 0), _receiver, limits, _time);

    [Fact]
    public async Task A_source_over_its_share_loses_its_own_oldest_connection_not_anothers()
    {
        var transport = Start(new TcpLimits(100, 50, 2, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60)));
        var victim = await ConnectAsync(transport, "127.0.0.1");
        var first = await ConnectAsync(transport, "127.0.0.2");
        var second = await ConnectAsync(transport, "127.0.0.2");
        var third = await ConnectAsync(transport, "127.0.0.2");

        Assert.True(await IsClosedByServerAsync(first), "the flooding source's oldest connection should have been closed");
        Assert.False(await IsClosedByServerAsync(second, TimeSpan.FromMilliseconds(300)));
        Assert.False(await IsClosedByServerAsync(third, TimeSpan.FromMilliseconds(300)));
        Assert.False(await IsClosedByServerAsync(victim, TimeSpan.FromMilliseconds(300)));
        Assert.Equal(1, transport.EvictedConnections);
    }

    [Fact]
    public async Task When_all_unauthenticated_room_is_taken_the_oldest_goes_and_authenticated_ones_stay()
    {
        var transport = Start(new TcpLimits(100, 2, 2, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60)));
        var authenticated = await ConnectAsync(transport, "127.0.0.1");
        await WaitUntilAsync(() => _receiver.Opened.Count == 1);
        _receiver.Opened[0].IsAuthenticated = true;
        var older = await ConnectAsync(transport, "127.0.0.3");
        var newer = await ConnectAsync(transport, "127.0.0.4");
        var newest = await ConnectAsync(transport, "127.0.0.5");

        Assert.True(await IsClosedByServerAsync(older));
        Assert.False(await IsClosedByServerAsync(newer, TimeSpan.FromMilliseconds(300)));
        Assert.False(await IsClosedByServerAsync(newest, TimeSpan.FromMilliseconds(300)));
        Assert.False(await IsClosedByServerAsync(authenticated, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task A_connection_that_sends_nothing_is_closed_at_the_first_packet_deadline_and_a_talking_one_is_not()
    {
        var transport = Start(new TcpLimits(100, 50, 10, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60)));
        var silent = await ConnectAsync(transport, "127.0.0.1");
        var talking = await ConnectAsync(transport, "127.0.0.1");
        await talking.SendAsync(new byte[] { 0, 3, 0x38, 1, 2 });
        await WaitUntilAsync(() => _receiver.Packets == 1);

        _time.Advance(TimeSpan.FromSeconds(6));

        Assert.True(await IsClosedByServerAsync(silent));
        Assert.False(await IsClosedByServerAsync(talking, TimeSpan.FromMilliseconds(300)));
        Assert.Equal(1, transport.ExpiredConnections);
        await WaitUntilAsync(() => _receiver.Closed == 1);
    }

    [Fact]
    public async Task An_unauthenticated_connection_is_closed_at_the_handshake_deadline_even_while_it_talks()
    {
        var transport = Start(new TcpLimits(100, 50, 10, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60)));
        var talking = await ConnectAsync(transport, "127.0.0.1");
        await talking.SendAsync(new byte[] { 0, 1, 0x38 });
        await WaitUntilAsync(() => _receiver.Packets == 1);

        _time.Advance(TimeSpan.FromSeconds(61));

        Assert.True(await IsClosedByServerAsync(talking));
    }

    [Fact]
    public async Task A_stream_handler_that_throws_is_reported_and_the_connection_keeps_being_read()
    {
        Start(new TcpLimits(100, 50, 10, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60)));
        _receiver.ThrowOnFirstPacket = true;
        var client = await ConnectAsync(_transport!, "127.0.0.1");

        await client.SendAsync(new byte[] { 0, 1, 0xAA, 0, 1, 0xBB });

        await WaitUntilAsync(() => _receiver.Packets == 2);
        Assert.Equal(1, _receiver.Faults);
    }

    private async Task<Socket> ConnectAsync(TcpTransport transport, string from)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _clients.Add(socket);
        socket.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
        await socket.ConnectAsync(transport.LocalEndPoint);
        // The listener handles connections in order; let it see this one before the next arrives.
        int expected = _clients.Count;
        await WaitUntilAsync(() => _receiver.Opened.Count >= expected);
        return socket;
    }

    private static async Task<bool> IsClosedByServerAsync(Socket socket, TimeSpan? patience = null)
    {
        using var timeout = new CancellationTokenSource(patience ?? TimeSpan.FromSeconds(5));
        try
        {
            var buffer = new byte[16];
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            return read == 0;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static Task WaitUntilAsync(Func<bool> condition) =>
        Eventually.TrueAsync(condition, TimeSpan.FromSeconds(10), "condition not met within 10 s");

    public void Dispose()
    {
        foreach (var client in _clients)
            client.Dispose();
        _transport?.Dispose();
    }

    private sealed class Recorder : IPacketReceiver
    {
        private int _packets;
        private int _closed;
        private int _faults;
        public bool ThrowOnFirstPacket;
        public List<IStreamLink> Opened { get; } = [];
        public int Packets => Volatile.Read(ref _packets);
        public int Closed => Volatile.Read(ref _closed);
        public int Faults => Volatile.Read(ref _faults);

        public void OnDatagram(Span<byte> packet, SocketAddress from, IDatagramSocket socket) => throw new NotSupportedException();

        public void OnStreamOpened(IStreamLink link)
        {
            lock (Opened)
                Opened.Add(link);
        }

        public void OnStreamPacket(Span<byte> packet, IStreamLink link)
        {
            if (Interlocked.Increment(ref _packets) == 1 && ThrowOnFirstPacket)
                throw new InvalidOperationException("a bug in the handler");
        }

        public void OnStreamClosed(IStreamLink link) => Interlocked.Increment(ref _closed);

        public void OnReceiveFault(Exception fault, int length) => Interlocked.Increment(ref _faults);
    }
}

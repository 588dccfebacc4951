using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Appliance.Tunnel.Tests.Support;

/// <summary>An attacker holding no key: datagrams of 61-121 random bytes starting with 0x38 (shaped like a first reset),
/// from many source ports of one loopback address, paced in 10 ms batches at a target rate, until stopped or
/// <c>maxDuration</c> has passed (whichever comes first).</summary>
internal sealed class KeylessFlood : IAsyncDisposable
{
    private const int Sources = 64;
    private readonly Socket[] _sockets = new Socket[Sources];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sending;
    private readonly Stopwatch _clock = new();
    private long _sent;
    private long _elapsedTicks;

    public KeylessFlood(IPEndPoint target, IPAddress source, int datagramsPerSecond, TimeSpan maxDuration)
    {
        for (int i = 0; i < Sources; i++)
        {
            _sockets[i] = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            _sockets[i].Bind(new IPEndPoint(source, 0));
            _sockets[i].Connect(target);
        }
        _sending = Task.Factory.StartNew(() => Send(datagramsPerSecond, maxDuration), TaskCreationOptions.LongRunning);
    }

    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Datagrams per second actually sent so far.</summary>
    public double AchievedRate
    {
        get
        {
            double seconds = (double)Interlocked.Read(ref _elapsedTicks) / Stopwatch.Frequency;
            return seconds > 0 ? Sent / seconds : 0;
        }
    }

    private void Send(int rate, TimeSpan maxDuration)
    {
        var random = new Random(11);
        var datagram = new byte[121];
        _clock.Start();
        long batches = 0;
        while (!_stop.IsCancellationRequested && _clock.Elapsed < maxDuration)
        {
            batches++;
            // Catch up to where the schedule says we should be: a slow batch is followed by a bigger one.
            long due = (long)(rate * _clock.Elapsed.TotalSeconds) - Sent;
            for (long i = 0; i < due && i < rate; i++)
            {
                int length = random.Next(61, 122);
                random.NextBytes(datagram.AsSpan(1, length - 1));
                datagram[0] = 0x38;
                try
                {
                    _sockets[random.Next(Sources)].Send(datagram.AsSpan(0, length));
                }
                catch (SocketException)
                {
                    // ECONNREFUSED from an earlier ICMP, or a full send buffer: that datagram is simply not sent.
                    continue;
                }
                Interlocked.Increment(ref _sent);
            }
            Interlocked.Exchange(ref _elapsedTicks, _clock.ElapsedTicks);
            Thread.Sleep(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _sending;
        foreach (var socket in _sockets)
            socket.Dispose();
        _stop.Dispose();
    }
}

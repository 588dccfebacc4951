using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Appliance.Tunnel.Tests.Support;

/// <summary>What a fuzz run sent.</summary>
internal sealed class FuzzTally
{
    public long Datagrams;
    public long EmptyDatagrams;
    public long TcpConnections;
    /// <summary>TCP connections whose first frame was complete (length prefix and that many bytes): the server must count that packet.</summary>
    public long TcpCompleteFirstFrames;
    /// <summary>Complete frames sent over TCP in all (a server that reads past a bad packet may count up to this many).</summary>
    public long TcpCompleteFrames;
    public readonly long[] ByMutation = new long[8];
}

/// <summary>Sends mutated seeds to a server on loopback, bounded by count and by time: UDP from several source ports of one
/// address, or TCP connections each carrying a few framed packets with mutated length prefixes.</summary>
/// <remarks>Shared with bench/Appliance.FuzzBench (linked source): no test framework in here.</remarks>
internal static class FuzzTraffic
{
    /// <summary>Sends up to <paramref name="maxDatagrams"/> datagrams for at most <paramref name="maxDuration"/>, in batches of
    /// <paramref name="batch"/> with a pause whenever <paramref name="perSecond"/> is reached (0 = as fast as the loop goes).</summary>
    public static void SendUdp(IPEndPoint target, IPAddress source, IReadOnlyList<byte[]> seeds, Random random, long maxDatagrams,
        TimeSpan maxDuration, int perSecond, FuzzTally tally, int batch = 64)
    {
        const int Sources = 16;
        var sockets = new Socket[Sources];
        for (int i = 0; i < Sources; i++)
        {
            sockets[i] = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            sockets[i].Bind(new IPEndPoint(source, 0));
            sockets[i].Connect(target);
        }
        try
        {
            var buffer = new byte[WireMutator.MaxLength];
            var clock = Stopwatch.StartNew();
            long sent = 0;
            while (sent < maxDatagrams && clock.Elapsed < maxDuration)
            {
                for (int i = 0; i < batch && sent < maxDatagrams; i++)
                {
                    var seed = seeds[random.Next(seeds.Count)];
                    var other = seeds[random.Next(seeds.Count)];
                    int length = WireMutator.Mutate(seed, other, random, buffer, out var kind);
                    try
                    {
                        sockets[random.Next(Sources)].Send(buffer.AsSpan(0, length));
                    }
                    catch (SocketException)
                    {
                        // ECONNREFUSED left by an ICMP error, ENOBUFS: not sent, not counted.
                        continue;
                    }
                    sent++;
                    tally.ByMutation[(int)kind]++;
                    if (length == 0)
                        tally.EmptyDatagrams++;
                }
                if (perSecond > 0)
                {
                    double ahead = sent / (double)perSecond - clock.Elapsed.TotalSeconds;
                    if (ahead > 0.001)
                        Thread.Sleep(TimeSpan.FromSeconds(ahead));
                }
            }
            tally.Datagrams += sent;
        }
        finally
        {
            foreach (var socket in sockets)
                socket.Dispose();
        }
    }

    /// <summary>Opens up to <paramref name="maxConnections"/> connections (for at most <paramref name="maxDuration"/>), each
    /// sending 1-3 framed mutated packets whose length prefix may be exact, short or long, then closing its sending side
    /// and waiting (at most 2 s) for the server to close.</summary>
    public static async Task SendTcpAsync(IPEndPoint target, IPAddress source, IReadOnlyList<byte[]> seeds, Random random,
        int maxConnections, TimeSpan maxDuration, FuzzTally tally)
    {
        var clock = Stopwatch.StartNew();
        var buffer = new byte[WireMutator.MaxLength];
        var stream = new byte[4 * (WireMutator.MaxLength + 2)];
        for (int c = 0; c < maxConnections && clock.Elapsed < maxDuration; c++)
        {
            int filled = 0;
            int frames = random.Next(1, 4);
            bool firstComplete = false;
            int completeFrames = 0;
            for (int f = 0; f < frames; f++)
            {
                var seed = seeds[random.Next(seeds.Count)];
                int length = WireMutator.Mutate(seed, seeds[random.Next(seeds.Count)], random, buffer, out var kind);
                if (length == 0)
                {
                    buffer[0] = seed.Length > 0 ? seed[0] : (byte)0x38;
                    length = 1;
                }
                tally.ByMutation[(int)kind]++;
                // §1.1 length prefix: exact (most), one short, or longer than what follows (the frame never completes).
                int prefix = random.Next(4) switch { 0 => Math.Max(1, length - 1), 1 => length + random.Next(1, 300), _ => length };
                BinaryPrimitives.WriteUInt16BigEndian(stream.AsSpan(filled), (ushort)prefix);
                buffer.AsSpan(0, length).CopyTo(stream.AsSpan(filled + 2));
                bool complete = prefix <= length;
                filled += 2 + length;
                if (!complete)
                    break; // what follows would be read as the rest of this frame
                completeFrames++;
                if (f == 0)
                    firstComplete = true;
                if (prefix < length)
                    break; // the surplus byte(s) would start a frame of their own: stop the tally here to keep it exact
            }
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.ConnectAsync(target, timeout.Token);
                await socket.SendAsync(stream.AsMemory(0, filled), SocketFlags.None, timeout.Token);
                tally.TcpConnections++;
                tally.TcpCompleteFrames += completeFrames;
                if (firstComplete)
                    tally.TcpCompleteFirstFrames++;
                socket.Shutdown(SocketShutdown.Send);
                while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
                {
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                // Refused, reset or slow: the tally above already says what reached the server's socket.
            }
        }
    }
}

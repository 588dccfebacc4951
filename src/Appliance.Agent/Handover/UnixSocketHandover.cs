using System.Net.Sockets;
using System.Text;

namespace Appliance.Agent.Handover;

/// <summary>The hand-over without systemd: the stopping agent offers its fds on a Unix socket in the state directory
/// (mode 0700, so only the agent's own user reaches it) for a bounded time; an agent starting on the same directory
/// connects, receives them (SCM_RIGHTS) and acknowledges, and only then does the old one exit. As Envoy's hot restart
/// and HAProxy's seamless reload do.</summary>
internal static class UnixSocketHandover
{
    public const string SocketFileName = "handover.sock";
    private static readonly byte[] Magic = "APPLHOVER1\n"u8.ToArray();
    private static readonly byte[] Taken = "taken\n"u8.ToArray();

    /// <summary>Waits up to <paramref name="wait"/> for a successor and hands it <paramref name="bundle"/>; true when it
    /// acknowledged. The fds stay the caller's either way (it closes them).</summary>
    public static async Task<bool> OfferAsync(string stateDirectory, HandoverBundle bundle, TimeSpan wait, Action<string> say)
    {
        string path = Path.Combine(stateDirectory, SocketFileName);
        File.Delete(path);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        try
        {
            using var deadline = new CancellationTokenSource(wait);
            while (true)
            {
                Socket peer;
                try
                {
                    peer = await listener.AcceptAsync(deadline.Token);
                }
                catch (OperationCanceledException)
                {
                    say($"no successor took the hand-over within {wait.TotalSeconds:0.#} s; the sessions end with this process");
                    return false;
                }
                using (peer)
                {
                    try
                    {
                        var entries = bundle.Entries;
                        byte[] payload = [.. Magic, .. Encoding.ASCII.GetBytes(string.Join('\n', entries.Select(e => e.Name)))];
                        HandoverNative.Send(peer.SafeHandle, payload, [.. entries.Select(e => e.Fd)]);
                        peer.ReceiveTimeout = 5000;
                        var ack = new byte[Taken.Length];
                        int read = 0;
                        while (read < ack.Length && peer.Receive(ack.AsSpan(read)) is int n and > 0)
                            read += n;
                        if (ack.AsSpan(0, read).SequenceEqual(Taken))
                        {
                            say($"handed {entries.Count} fds ({string.Join(", ", entries.Select(e => e.Name))}) to the next process over {path}");
                            return true;
                        }
                        say("a process connected to the hand-over socket but did not take the fds; waiting on");
                    }
                    catch (Exception e) when (e is SocketException or IOException)
                    {
                        say($"a hand-over attempt failed ({e.Message}); waiting on");
                    }
                }
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Takes the fds of a predecessor waiting on the state directory's hand-over socket; null when none waits.</summary>
    public static HandoverBundle? TryReceive(string stateDirectory)
    {
        string path = Path.Combine(stateDirectory, SocketFileName);
        if (!File.Exists(path))
            return null;
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            // A file left by a process that is gone: nobody waits.
            return null;
        }
        socket.ReceiveTimeout = 5000;
        var payload = new byte[64 << 10];
        var fds = new List<int>();
        int length = HandoverNative.Receive(socket.SafeHandle, payload, fds);
        var bundle = new HandoverBundle { Source = $"the previous process over {path}" };
        var names = length >= Magic.Length && payload.AsSpan(0, Magic.Length).SequenceEqual(Magic)
            ? Encoding.ASCII.GetString(payload, Magic.Length, length - Magic.Length).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            : [];
        if (names.Length != fds.Count)
        {
            foreach (int fd in fds)
                HandoverNative.Close(fd);
            throw new IOException($"the hand-over message from {path} is malformed ({fds.Count} fds, {names.Length} names); starting clean");
        }
        for (int i = 0; i < names.Length; i++)
            bundle.Add(names[i], fds[i]);
        socket.Send(Taken);
        return bundle;
    }
}

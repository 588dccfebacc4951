using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;

namespace Appliance.Agent.Tests.Systemd;

/// <summary>What systemd listens on for a <c>Type=notify</c> service: a Unix datagram socket named by <c>$NOTIFY_SOCKET</c>.</summary>
/// <remarks>Writable by everyone (the agent under test runs as an unprivileged user); deleted with its directory on dispose.</remarks>
[SupportedOSPlatform("linux")]
public sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly DirectoryInfo _directory;
    private readonly List<string> _received = [];

    public NotifySocket()
    {
        _directory = Directory.CreateTempSubdirectory("appliance-notify-");
        File.SetUnixFileMode(_directory.FullName, (UnixFileMode)0b111_101_101);
        Path = System.IO.Path.Combine(_directory.FullName, "notify");
        _socket.Bind(new UnixDomainSocketEndPoint(Path));
        File.SetUnixFileMode(Path, (UnixFileMode)0b110_110_110);
    }

    public string Path { get; }

    /// <summary>Every datagram so far, in order.</summary>
    public IReadOnlyList<string> Received => _received;

    /// <summary>Reads datagrams until one carries the line <paramref name="assignment"/> (e.g. "READY=1"); false on timeout or when <paramref name="gaveUp"/> holds.</summary>
    public async Task<bool> WaitForAsync(string assignment, TimeSpan timeout, Func<bool> gaveUp)
    {
        var deadline = DateTime.UtcNow + timeout;
        var buffer = new byte[4096];
        while (DateTime.UtcNow < deadline && !gaveUp())
        {
            using var slice = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            try
            {
                int length = await _socket.ReceiveAsync(buffer, SocketFlags.None, slice.Token);
                string message = Encoding.UTF8.GetString(buffer, 0, length);
                _received.Add(message);
                if (message.Split('\n').Contains(assignment))
                    return true;
            }
            catch (OperationCanceledException)
            {
                // Look at the deadline and the process again.
            }
        }
        return false;
    }

    public void Dispose()
    {
        _socket.Dispose();
        _directory.Delete(recursive: true);
    }
}

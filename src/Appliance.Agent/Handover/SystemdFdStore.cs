using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Appliance.Agent.Handover;

/// <summary>The hand-over under systemd: the stopping agent puts its fds in the unit's fd store (<c>sd_notify</c>
/// <c>FDSTORE=1</c> + <c>FDNAME=</c>, the unit's <c>FileDescriptorStoreMax=</c>); systemd passes them to the next start
/// as <c>LISTEN_FDS</c> from fd 3 with <c>LISTEN_FDNAMES</c>, and keeps them until the agent removes them
/// (<c>FDSTOREREMOVE=1</c>), which it does once it has read them.</summary>
internal static class SystemdFdStore
{
    public const int FirstFd = 3;

    /// <summary>True when systemd (or an sd_notify-compatible manager) watches this process: <c>$NOTIFY_SOCKET</c> is set.</summary>
    public static bool Available(IReadOnlyDictionary<string, string?> environment) =>
        environment.TryGetValue("NOTIFY_SOCKET", out var socket) && !string.IsNullOrEmpty(socket);

    /// <summary>Reads the fds systemd passed (<c>LISTEN_PID</c> must be this process); null when none were passed.
    /// Names missing from <c>LISTEN_FDNAMES</c> are read as "unknown" (and closed unclaimed).</summary>
    public static HandoverBundle? Read(IReadOnlyDictionary<string, string?> environment, int processId, int firstFd = FirstFd)
    {
        environment.TryGetValue("LISTEN_PID", out var pid);
        environment.TryGetValue("LISTEN_FDS", out var count);
        environment.TryGetValue("LISTEN_FDNAMES", out var names);
        if (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out int listenPid) || listenPid != processId
            || !int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n is <= 0 or > HandoverNative.MaxFds)
            return null;
        string[] split = (names ?? "").Split(':');
        var bundle = new HandoverBundle { Source = "the systemd fd store" };
        for (int i = 0; i < n; i++)
        {
            int fd = firstFd + i;
            HandoverNative.SetCloseOnExec(fd);
            string name = i < split.Length && split[i].Length > 0 ? split[i] : "unknown";
            bundle.Add(name, fd);
        }
        return bundle;
    }

    /// <summary>The variables are this process's alone: a child must not read them as its own.</summary>
    public static void ForgetEnvironment()
    {
        Environment.SetEnvironmentVariable("LISTEN_PID", null);
        Environment.SetEnvironmentVariable("LISTEN_FDS", null);
        Environment.SetEnvironmentVariable("LISTEN_FDNAMES", null);
    }

    /// <summary>Stores each fd under its name (one message per fd, so each keeps its own FDNAME).</summary>
    public static void Store(string notifySocket, HandoverBundle bundle)
    {
        using var socket = Connect(notifySocket);
        foreach (var (name, fd) in bundle.Entries)
            HandoverNative.Send(socket.SafeHandle, Encoding.ASCII.GetBytes($"FDSTORE=1\nFDNAME={name}"), [fd]);
    }

    /// <summary>Asks systemd to drop the stored fds of these names (this process holds its own copies now).</summary>
    public static void Remove(string notifySocket, IEnumerable<string> names)
    {
        using var socket = Connect(notifySocket);
        foreach (string name in names.Distinct(StringComparer.Ordinal))
            HandoverNative.Send(socket.SafeHandle, Encoding.ASCII.GetBytes($"FDSTOREREMOVE=1\nFDNAME={name}"), []);
    }

    private static Socket Connect(string notifySocket)
    {
        // '@' names a socket in the abstract namespace.
        string path = notifySocket.StartsWith('@') ? "\0" + notifySocket[1..] : notifySocket;
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

using System.Net;
using System.Net.Sockets;

namespace Appliance.Agent.Handover;

/// <summary>What one agent process hands the next: named fds (the tunnel's sockets, the uplink device, the state's
/// sealed memfd). The same names travel over both transports (systemd's fd store, the Unix socket).</summary>
/// <remarks>Owns its fds: each is either taken by a part of the new process or closed at <see cref="Dispose"/>, so a
/// refused or partly used hand-over leaves nothing open. Names are ASCII without ':' (systemd's FDNAME rule).</remarks>
internal sealed class HandoverBundle : IDisposable
{
    /// <summary>The sealed memfd with the encoded <c>TunnelState</c>.</summary>
    public const string StateName = "state";

    private readonly List<(string Name, int Fd)> _fds = [];
    private readonly Lock _gate = new();

    public static string ListenerName(int listenIndex) => $"tunnel-{listenIndex}";
    public static string TapName(string tap) => $"uplink-tap-{tap}";
    public static string NicName(string nic) => $"uplink-nic-{nic}";

    /// <summary>Where the bundle came from, for log lines ("systemd fd store", "Unix socket ...").</summary>
    public string Source { get; init; } = "";

    public IReadOnlyList<string> Names
    {
        get
        {
            lock (_gate)
                return [.. _fds.Select(f => f.Name)];
        }
    }

    public IReadOnlyList<(string Name, int Fd)> Entries
    {
        get
        {
            lock (_gate)
                return [.. _fds];
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
                return _fds.Count;
        }
    }

    public void Add(string name, int fd)
    {
        if (name.Length is 0 or > 255 || name.Contains(':', StringComparison.Ordinal) || name.Any(c => c < 0x21 || c > 0x7e))
            throw new ArgumentException($"'{name}' is not a hand-over fd name", nameof(name));
        lock (_gate)
            _fds.Add((name, fd));
    }

    /// <summary>Takes the fd of <paramref name="name"/> out of the bundle (the caller owns it now), or -1.</summary>
    public int Take(string name)
    {
        lock (_gate)
        {
            int index = _fds.FindIndex(f => f.Name == name);
            if (index < 0)
                return -1;
            int fd = _fds[index].Fd;
            _fds.RemoveAt(index);
            return fd;
        }
    }

    /// <summary>The listening socket handed over for listen entry <paramref name="listenIndex"/> when it is of the same
    /// protocol and address as this process's entry (any port when the entry asks for 0); otherwise it is closed and
    /// null is returned, with the reason in <paramref name="mismatch"/>.</summary>
    public Socket? TakeListener(int listenIndex, bool udp, IPEndPoint wanted, out string? mismatch)
    {
        mismatch = null;
        int fd = Take(ListenerName(listenIndex));
        if (fd < 0)
            return null;
        Socket socket;
        try
        {
            socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        }
        catch (SocketException e)
        {
            HandoverNative.Close(fd);
            mismatch = $"{ListenerName(listenIndex)} is not a socket ({e.SocketErrorCode})";
            return null;
        }
        bool same = socket.SocketType == (udp ? SocketType.Dgram : SocketType.Stream)
            && socket.LocalEndPoint is IPEndPoint bound
            && bound.Address.Equals(wanted.Address)
            && (wanted.Port == 0 || wanted.Port == bound.Port);
        if (same)
            return socket;
        mismatch = $"{ListenerName(listenIndex)} is {socket.SocketType} {socket.LocalEndPoint}, not {(udp ? "udp" : "tcp")} {wanted}";
        socket.Dispose();
        return null;
    }

    /// <summary>Closes every fd nobody took; returns their names.</summary>
    public IReadOnlyList<string> CloseUnclaimed()
    {
        List<(string Name, int Fd)> left;
        lock (_gate)
        {
            left = [.. _fds];
            _fds.Clear();
        }
        foreach (var (_, fd) in left)
            HandoverNative.Close(fd);
        return [.. left.Select(f => f.Name)];
    }

    public void Dispose() => CloseUnclaimed();
}

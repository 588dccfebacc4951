using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using Appliance.Agent.Handover;

namespace Appliance.Agent.Tests.Systemd;

/// <summary>
/// The hand-over's systemd transport as far as it can be exercised without systemd as PID 1 (this machine has none):
/// what systemd passes at start (<c>LISTEN_PID</c>, <c>LISTEN_FDS</c>, <c>LISTEN_FDNAMES</c>, fds from a base number)
/// read back from real sockets and a real sealed memfd, and what the stopping agent sends to <c>$NOTIFY_SOCKET</c>
/// (<c>FDSTORE=1</c>, <c>FDNAME=</c>, the fd as SCM_RIGHTS) read from a real datagram socket.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class FdStoreTests
{
    private const int F_DUPFD = 0, F_GETFD = 1;

    [Fact]
    public void The_fds_systemd_passes_come_back_by_name_close_on_exec_as_the_same_sockets_and_state()
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        tcp.Listen(4);
        byte[] contents = Encoding.ASCII.GetBytes("state bytes");
        int memfd = HandoverNative.SealedMemory("fdstore-test", contents);
        // systemd hands its fds over as consecutive numbers; here from a free base instead of 3.
        int first = Consecutive([Handle(udp), Handle(tcp), memfd]);
        HandoverNative.Close(memfd);
        var environment = new Dictionary<string, string?>
        {
            ["LISTEN_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LISTEN_FDS"] = "3",
            ["LISTEN_FDNAMES"] = "tunnel-0:tunnel-1:state",
        };

        using var bundle = SystemdFdStore.Read(environment, Environment.ProcessId, first);

        Assert.NotNull(bundle);
        Assert.Equal(["tunnel-0", "tunnel-1", "state"], bundle.Names);
        Assert.All(bundle.Entries, e => Assert.Equal(HandoverNative.FD_CLOEXEC, HandoverNative.Fcntl(e.Fd, F_GETFD, 0) & HandoverNative.FD_CLOEXEC));
        using (var adoptedUdp = bundle.TakeListener(0, udp: true, new IPEndPoint(IPAddress.Loopback, 0), out var udpMismatch))
        {
            Assert.Null(udpMismatch);
            Assert.Equal(udp.LocalEndPoint, adoptedUdp!.LocalEndPoint);
        }
        // A listen entry of another protocol does not take the socket: it is closed, with the reason.
        Assert.Null(bundle.TakeListener(1, udp: true, new IPEndPoint(IPAddress.Loopback, 0), out var tcpMismatch));
        Assert.Contains("not udp", tcpMismatch, StringComparison.Ordinal);
        int state = bundle.Take(HandoverBundle.StateName);
        Assert.Equal(contents, HandoverNative.ReadSealed(state, out string? refusal));
        Assert.Null(refusal);
        HandoverNative.Close(state);
        Assert.Empty(bundle.CloseUnclaimed());
    }

    [Theory]
    [InlineData("1", "3")]
    [InlineData(null, "3")]
    [InlineData("self", "0")]
    [InlineData("self", "x")]
    public void Variables_meant_for_another_process_or_naming_no_fds_are_not_read(string? pid, string count)
    {
        string listenPid = pid == "self" ? Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) : pid ?? "";
        var environment = new Dictionary<string, string?> { ["LISTEN_PID"] = listenPid, ["LISTEN_FDS"] = count, ["LISTEN_FDNAMES"] = "a:b:c" };

        Assert.Null(SystemdFdStore.Read(environment, Environment.ProcessId, 900));
    }

    [Fact]
    public void The_stopping_agent_sends_each_fd_to_the_notify_socket_under_its_name()
    {
        string directory = Directory.CreateTempSubdirectory("appliance-fdstore-").FullName;
        try
        {
            string path = Path.Combine(directory, "notify");
            using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            notify.Bind(new UnixDomainSocketEndPoint(path));
            byte[] contents = Encoding.ASCII.GetBytes("sessions");
            using var bundle = new HandoverBundle();
            bundle.Add(HandoverBundle.StateName, HandoverNative.SealedMemory("fdstore-test", contents));

            SystemdFdStore.Store(path, bundle);
            SystemdFdStore.Remove(path, [HandoverBundle.StateName]);

            var payload = new byte[512];
            var fds = new List<int>();
            int length = HandoverNative.Receive(notify.SafeHandle, payload, fds);
            Assert.Equal("FDSTORE=1\nFDNAME=state", Encoding.ASCII.GetString(payload, 0, length));
            int fd = Assert.Single(fds);
            Assert.Equal(contents, HandoverNative.ReadSealed(fd, out _));
            HandoverNative.Close(fd);
            fds.Clear();
            length = HandoverNative.Receive(notify.SafeHandle, payload, fds);
            Assert.Equal("FDSTOREREMOVE=1\nFDNAME=state", Encoding.ASCII.GetString(payload, 0, length));
            Assert.Empty(fds);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static int Handle(Socket socket) => (int)socket.SafeHandle.DangerousGetHandle();

    /// <summary>Duplicates <paramref name="fds"/> to consecutive numbers (as systemd passes them); the first number.</summary>
    private static int Consecutive(IReadOnlyList<int> fds)
    {
        for (int base_ = 600; base_ < 1000; base_ += 10)
        {
            var made = new List<int>();
            for (int i = 0; i < fds.Count; i++)
            {
                int fd = HandoverNative.Fcntl(fds[i], F_DUPFD, base_ + i);
                made.Add(fd);
                if (fd != base_ + i)
                    break;
            }
            if (made.Count == fds.Count && made[^1] == base_ + fds.Count - 1)
                return base_;
            foreach (int fd in made.Where(f => f >= 0))
                HandoverNative.Close(fd);
        }
        throw new InvalidOperationException("no run of free fd numbers from 600 to 1000");
    }
}

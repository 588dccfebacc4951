using System.Runtime.InteropServices;

namespace Appliance.Tunnel.Devices.Linux;

/// <summary>The libc calls and kernel ABI structures the Linux devices use (64-bit Linux, glibc or musl).</summary>
/// <remarks>Every call sets errno (read it with <see cref="Marshal.GetLastPInvokeError"/>); none allocates.</remarks>
internal static unsafe partial class LinuxNative
{
    private const string Libc = "libc";

    // fcntl.h
    public const int O_RDWR = 0x2;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;
    public const int F_DUPFD_CLOEXEC = 1030;

    // sys/eventfd.h
    public const int EFD_NONBLOCK = 0x800;
    public const int EFD_CLOEXEC = 0x80000;

    // poll.h
    public const short POLLIN = 0x1;
    public const short POLLOUT = 0x4;
    public const short POLLERR = 0x8;
    public const short POLLHUP = 0x10;
    public const short POLLNVAL = 0x20;

    // sys/socket.h
    public const int AF_INET = 2;
    public const int AF_PACKET = 17;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_RAW = 3;
    public const int SOCK_NONBLOCK = 0x800;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int SOL_SOCKET = 1;
    public const int SO_RCVBUF = 8;
    public const int SO_RCVBUFFORCE = 33;
    public const int MSG_TRUNC = 0x20;
    public const int MSG_CTRUNC = 0x8;

    // linux/if_packet.h
    public const int SOL_PACKET = 263;
    public const int PACKET_ADD_MEMBERSHIP = 1;
    public const int PACKET_AUXDATA = 8;
    public const int PACKET_IGNORE_OUTGOING = 23;
    public const ushort PACKET_MR_PROMISC = 1;
    public const byte PACKET_OUTGOING = 4;
    public const uint TP_STATUS_VLAN_VALID = 1 << 4;
    public const uint TP_STATUS_VLAN_TPID_VALID = 1 << 6;
    public const ushort ETH_P_ALL = 0x0003;

    // linux/if_tun.h: _IOW('T', 202, int) and _IOW('T', 203, int) in the generic ioctl encoding (x86-64, arm64).
    public const nuint TUNSETIFF = 0x400454CA;
    public const nuint TUNSETPERSIST = 0x400454CB;
    /// <summary>_IOR('T', 210, unsigned int): the name and flags of the interface a tun fd is attached to.</summary>
    public const nuint TUNGETIFF = 0x800454D2;
    public const short IFF_TAP = 0x0002;
    public const short IFF_NO_PI = 0x1000;

    // linux/sockios.h
    public const nuint SIOCGIFFLAGS = 0x8913;
    public const nuint SIOCSIFFLAGS = 0x8914;
    public const nuint SIOCGIFMTU = 0x8921;
    public const nuint SIOCSIFMTU = 0x8922;
    public const nuint SIOCGIFINDEX = 0x8933;
    public const nuint SIOCBRADDIF = 0x89A2;
    public const short IFF_UP = 0x1;

    /// <summary>IFNAMSIZ: interface names are at most 15 bytes plus a terminating zero.</summary>
    public const int InterfaceNameSize = 16;

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport(Libc, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Libc, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport(Libc, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport(Libc, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport(Libc, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initialValue, int flags);

    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport(Libc, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Libc, EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int fd, void* address, uint addressLength);

    [LibraryImport(Libc, EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSocketOption(int fd, int level, int name, void* value, uint valueLength);

    [LibraryImport(Libc, EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint ReceiveMessage(int fd, MessageHeader* message, int flags);

    [LibraryImport(Libc, EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(int fd, byte* buffer, nuint length, int flags);

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    /// <summary>struct ifreq: a name and a 24-byte union, of which we use the flags and the int (index, MTU).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    public struct InterfaceRequest
    {
        [FieldOffset(0)] public fixed byte Name[InterfaceNameSize];
        [FieldOffset(16)] public short Flags;
        [FieldOffset(16)] public int Value;
    }

    /// <summary>struct sockaddr_ll.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct LinkLayerAddress
    {
        public ushort Family;
        /// <summary>EtherType in network byte order.</summary>
        public ushort Protocol;
        public int InterfaceIndex;
        public ushort HardwareType;
        public byte PacketType;
        public byte AddressLength;
        public fixed byte Address[8];
    }

    /// <summary>struct packet_mreq.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PacketMembership
    {
        public int InterfaceIndex;
        public ushort Type;
        public ushort AddressLength;
        public fixed byte Address[8];
    }

    /// <summary>struct tpacket_auxdata: what the kernel kept beside the frame, including a stripped VLAN tag.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PacketAuxData
    {
        public uint Status;
        public uint Length;
        public uint SnapLength;
        public ushort MacOffset;
        public ushort NetworkOffset;
        public ushort VlanTci;
        public ushort VlanTpid;
    }

    /// <summary>struct iovec.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IoVector
    {
        public void* Base;
        public nuint Length;
    }

    /// <summary>struct msghdr (64-bit layout: the int length is padded to 8).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Vectors;
        public nuint VectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>struct cmsghdr; its data starts at the next 8-byte boundary.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ControlMessageHeader
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    /// <summary>Writes a name into an ifreq; the caller has checked it fits.</summary>
    public static void SetName(ref InterfaceRequest request, string name)
    {
        fixed (byte* target = request.Name)
        {
            var span = new Span<byte>(target, InterfaceNameSize);
            span.Clear();
            System.Text.Encoding.ASCII.GetBytes(name, span);
        }
    }
}

using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Appliance.Tunnel.Devices.Linux;
using static Appliance.Tunnel.Devices.Linux.LinuxNative;

namespace Appliance.Tunnel.Devices;

/// <summary>An existing NIC opened with an AF_PACKET raw socket (ETH_P_ALL): whole frames in and out, without a bridge.</summary>
/// <remarks>
/// Frames this socket sent are not read back. A VLAN tag the NIC or the kernel stripped into metadata
/// (rx-vlan offload, and the receive path's own untagging) is put back in band from PACKET_AUXDATA, so reads
/// are byte-exact; such a read needs 4 bytes of room beyond the frame as received. The socket lives in the
/// network namespace of the thread that opens it.
/// </remarks>
public sealed unsafe class RawSocketDevice : IFrameDevice
{
    private const int ControlBufferLongs = 8;
    private readonly WakeableDescriptor _fd;

    private RawSocketDevice(string name, int interfaceIndex, WakeableDescriptor fd)
    {
        Name = name;
        InterfaceIndex = interfaceIndex;
        _fd = fd;
    }

    public string Name { get; }

    /// <summary>The kernel's ifindex of the NIC.</summary>
    public int InterfaceIndex { get; }

    /// <summary>Binds a raw socket to the existing interface <paramref name="name"/>.</summary>
    /// <exception cref="DeviceSetupException">A step failed; the message names the interface and the fix.</exception>
    public static RawSocketDevice Open(string name, RawSocketOptions? options = null)
    {
        InterfaceControl.ValidateName(name, "interface");
        options ??= new RawSocketOptions();
        if (!Environment.Is64BitProcess || !OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("RawSocketDevice needs 64-bit Linux");

        // Protocol 0 receives nothing until bind, so no frame of another NIC slips in first.
        int fd = Socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new DeviceSetupException(name, errno, errno is Errno.EPERM or Errno.EACCES
                ? $"cannot open a raw socket on '{name}': permission denied; run as root or grant CAP_NET_RAW"
                : $"cannot open a raw socket on '{name}': {Errno.Describe(errno)}");
        }
        var descriptor = WakeableDescriptor.Own(fd, name);
        try
        {
            int index;
            using (var control = InterfaceControl.Open(name))
                index = control.GetIndex(name);
            Configure(fd, name, index, options);
            return new RawSocketDevice(name, index, descriptor);
        }
        catch
        {
            descriptor.Shutdown();
            throw;
        }
    }

    /// <summary>Takes over the bound packet socket <paramref name="fd"/> of the previous process (restart or upgrade): its
    /// binding, options and queued frames are the kernel's and stay as they were. Owned from here on (closed on failure).</summary>
    /// <exception cref="DeviceSetupException">The interface <paramref name="name"/> does not exist.</exception>
    public static RawSocketDevice Adopt(int fd, string name)
    {
        InterfaceControl.ValidateName(name, "interface");
        var descriptor = WakeableDescriptor.Own(fd, name);
        try
        {
            using var control = InterfaceControl.Open(name);
            return new RawSocketDevice(name, control.GetIndex(name), descriptor);
        }
        catch
        {
            descriptor.Shutdown();
            throw;
        }
    }

    /// <summary>A second fd of this socket for the next process (see <see cref="Adopt"/>); -1 with errno on failure.</summary>
    public int DuplicateDescriptor() => _fd.Duplicate();

    public DeviceResult Read(Span<byte> buffer)
    {
        if (!_fd.TryEnter())
            return DeviceResult.Closed;
        try
        {
            var control = stackalloc ulong[ControlBufferLongs];
            fixed (byte* p = buffer)
            {
                while (true)
                {
                    LinkLayerAddress from;
                    var vector = new IoVector { Base = p, Length = (nuint)buffer.Length };
                    var message = new MessageHeader
                    {
                        Name = &from,
                        NameLength = (uint)sizeof(LinkLayerAddress),
                        Vectors = &vector,
                        VectorCount = 1,
                        Control = control,
                        ControlLength = ControlBufferLongs * sizeof(ulong),
                    };
                    // MSG_TRUNC: the result is the frame's real length, so a short buffer is seen, not a cut frame passed on.
                    nint n = ReceiveMessage(_fd.Fd, &message, MSG_TRUNC);
                    if (n < 0)
                    {
                        int errno = Marshal.GetLastPInvokeError();
                        if (errno == Errno.EINTR)
                            continue;
                        if (errno != Errno.EAGAIN)
                            return _fd.IsClosing ? DeviceResult.Closed : DeviceResult.Error(errno);
                        int wait = _fd.Wait(POLLIN);
                        if (wait < 0)
                            return DeviceResult.Closed;
                        if (wait > 0)
                            return DeviceResult.Error(wait);
                        continue;
                    }
                    // Kernels before 4.20 ignore PACKET_IGNORE_OUTGOING: our own sends come back as PACKET_OUTGOING.
                    if (from.PacketType == PACKET_OUTGOING)
                        continue;
                    if (n > buffer.Length || (message.Flags & MSG_TRUNC) != 0)
                        return DeviceResult.Error(Errno.EMSGSIZE);
                    return RestoreVlanTag(buffer, (int)n, &message);
                }
            }
        }
        finally
        {
            _fd.Exit();
        }
    }

    // Bound socket: the kernel sends on the bound NIC; a VLAN tag in the frame goes out in band.
    public DeviceResult Write(ReadOnlySpan<byte> frame) => _fd.Transmit(frame, &SendFrame);

    private static nint SendFrame(int fd, byte* buffer, nuint length) => Send(fd, buffer, length, 0);

    /// <summary>Wakes a blocked <see cref="Read"/> (it returns Closed) and closes the socket, which also ends promiscuous mode.</summary>
    public void Dispose() => _fd.Shutdown();

    public override string ToString() => $"raw socket on '{Name}'";

    /// <summary>Puts a tag the kernel moved into metadata back after the MAC addresses (IEEE 802.1Q §9.3).</summary>
    private static DeviceResult RestoreVlanTag(Span<byte> buffer, int length, MessageHeader* message)
    {
        byte* control = (byte*)message->Control;
        nuint end = message->ControlLength;
        nuint offset = 0;
        while (offset + (nuint)sizeof(ControlMessageHeader) <= end)
        {
            var header = (ControlMessageHeader*)(control + offset);
            if (header->Length < (nuint)sizeof(ControlMessageHeader) || offset + header->Length > end)
                break;
            if (header->Level == SOL_PACKET && header->Type == PACKET_AUXDATA
                && header->Length >= (nuint)(sizeof(ControlMessageHeader) + sizeof(PacketAuxData)))
            {
                var aux = (PacketAuxData*)(header + 1);
                if ((aux->Status & TP_STATUS_VLAN_VALID) == 0)
                    return DeviceResult.Ok(length);
                if (length + 4 > buffer.Length)
                    return DeviceResult.Error(Errno.EMSGSIZE);
                ushort tpid = (aux->Status & TP_STATUS_VLAN_TPID_VALID) != 0 && aux->VlanTpid != 0 ? aux->VlanTpid : (ushort)0x8100;
                buffer[12..length].CopyTo(buffer[16..]);
                BinaryPrimitives.WriteUInt16BigEndian(buffer[12..], tpid);
                BinaryPrimitives.WriteUInt16BigEndian(buffer[14..], aux->VlanTci);
                return DeviceResult.Ok(length + 4);
            }
            offset += (header->Length + 7) & ~(nuint)7;
        }
        return DeviceResult.Ok(length);
    }

    private static void Configure(int fd, string name, int index, RawSocketOptions options)
    {
        int on = 1;
        SetOption(fd, name, SOL_PACKET, PACKET_AUXDATA, &on, sizeof(int), "PACKET_AUXDATA (needed to restore stripped VLAN tags)");
        if (SetSocketOption(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &on, sizeof(int)) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            // ENOPROTOOPT: kernel older than 4.20; Read filters PACKET_OUTGOING instead.
            if (errno != Errno.ENOPROTOOPT && errno != Errno.EINVAL)
                throw new DeviceSetupException(name, errno, $"cannot set PACKET_IGNORE_OUTGOING on '{name}': {Errno.Describe(errno)}");
        }
        int receiveBuffer = options.ReceiveBufferBytes;
        if (receiveBuffer > 0 && SetSocketOption(fd, SOL_SOCKET, SO_RCVBUFFORCE, &receiveBuffer, sizeof(int)) < 0)
            SetOption(fd, name, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof(int), "SO_RCVBUF");

        var address = new LinkLayerAddress
        {
            Family = AF_PACKET,
            Protocol = BinaryPrimitives.ReverseEndianness(ETH_P_ALL),
            InterfaceIndex = index,
        };
        if (Bind(fd, &address, (uint)sizeof(LinkLayerAddress)) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new DeviceSetupException(name, errno, errno == Errno.ENODEV
                ? $"cannot bind a raw socket to '{name}': the interface vanished; check 'ip link show {name}'"
                : $"cannot bind a raw socket to '{name}': {Errno.Describe(errno)}");
        }

        if (options.Promiscuous)
        {
            var membership = new PacketMembership { InterfaceIndex = index, Type = PACKET_MR_PROMISC };
            SetOption(fd, name, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &membership, (uint)sizeof(PacketMembership), "promiscuous mode (PACKET_MR_PROMISC)");
        }
    }

    private static void SetOption(int fd, string name, int level, int option, void* value, uint length, string what)
    {
        if (SetSocketOption(fd, level, option, value, length) >= 0)
            return;
        int errno = Marshal.GetLastPInvokeError();
        throw new DeviceSetupException(name, errno, errno is Errno.EPERM or Errno.EACCES
            ? $"cannot enable {what} on '{name}': permission denied; run as root or grant CAP_NET_RAW and CAP_NET_ADMIN"
            : $"cannot enable {what} on '{name}': {Errno.Describe(errno)}");
    }
}

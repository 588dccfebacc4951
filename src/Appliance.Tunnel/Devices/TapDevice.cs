using System.Runtime.InteropServices;
using Appliance.Tunnel.Devices.Linux;
using static Appliance.Tunnel.Devices.Linux.LinuxNative;

namespace Appliance.Tunnel.Devices;

/// <summary>A Linux TAP interface (/dev/net/tun, IFF_TAP | IFF_NO_PI): whole Ethernet frames in and out, unchanged.</summary>
/// <remarks>
/// The interface lives in the network namespace of the thread that opens it, and the fd keeps working from any
/// thread afterwards. No minimum length is enforced here: the kernel takes every frame of 14 bytes or more.
/// </remarks>
public sealed unsafe class TapDevice : IFrameDevice
{
    private const string ClonePath = "/dev/net/tun";
    private readonly WakeableDescriptor _fd;

    private TapDevice(string name, int interfaceIndex, bool persistent, WakeableDescriptor fd)
    {
        Name = name;
        InterfaceIndex = interfaceIndex;
        Persistent = persistent;
        _fd = fd;
    }

    public string Name { get; }

    /// <summary>The kernel's ifindex of the interface.</summary>
    public int InterfaceIndex { get; }

    /// <summary>True when the interface outlives this device.</summary>
    public bool Persistent { get; }

    /// <summary>Creates the TAP <paramref name="name"/> (or attaches to an existing one), sets its MTU, bridges it and brings it up.</summary>
    /// <exception cref="DeviceSetupException">A step failed; the message names the interface and the fix.</exception>
    public static TapDevice Open(string name, TapOptions? options = null)
    {
        InterfaceControl.ValidateName(name, "tap");
        options ??= new TapOptions();
        if (options.Bridge is not null)
            InterfaceControl.ValidateName(options.Bridge, "bridge");
        if (!Environment.Is64BitProcess || !OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("TapDevice needs 64-bit Linux");

        int fd = LinuxNative.Open(ClonePath, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            throw OpenFailure(name, Marshal.GetLastPInvokeError());
        var descriptor = WakeableDescriptor.Own(fd, name);
        try
        {
            Attach(fd, name);
            SetPersistent(fd, name, options.Persistent);
            using var control = InterfaceControl.Open(name);
            int index = control.GetIndex(name);
            if (control.GetMtu(name) != options.Mtu)
                control.SetMtu(name, options.Mtu);
            if (options.Bridge is not null)
                control.AddToBridge(options.Bridge, name, index);
            if (options.BringUp)
                control.BringUp(name);
            return new TapDevice(name, index, options.Persistent, descriptor);
        }
        catch
        {
            // A non-persistent interface created above disappears with its last fd.
            descriptor.Shutdown();
            throw;
        }
    }

    /// <summary>Takes over the open TAP <paramref name="fd"/> of the previous process (restart or upgrade): the interface, its
    /// MAC, bridge port, MTU and queued frames are the kernel's and stay as they were. The fd must be attached to a TAP of
    /// that name; it is owned from here on (closed on failure).</summary>
    /// <exception cref="DeviceSetupException">The fd is not a TAP named <paramref name="name"/>.</exception>
    public static TapDevice Adopt(int fd, string name)
    {
        InterfaceControl.ValidateName(name, "tap");
        var request = default(InterfaceRequest);
        if (Ioctl(fd, TUNGETIFF, &request) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            LinuxNative.Close(fd);
            throw new DeviceSetupException(name, errno, $"the handed-over fd for tap '{name}' is not an attached tun/tap fd: {Errno.Describe(errno)}");
        }
        string attached = Marshal.PtrToStringUTF8((nint)request.Name) ?? "";
        if (attached != name || (request.Flags & IFF_TAP) == 0)
        {
            LinuxNative.Close(fd);
            throw new DeviceSetupException(name, 0, $"the handed-over fd is attached to '{attached}', not tap '{name}'");
        }
        // O_NONBLOCK belongs to the open file, which the previous process set; the wake-up eventfd is this process's own.
        var descriptor = WakeableDescriptor.Own(fd, name);
        try
        {
            using var control = InterfaceControl.Open(name);
            return new TapDevice(name, control.GetIndex(name), persistent: false, descriptor);
        }
        catch
        {
            descriptor.Shutdown();
            throw;
        }
    }

    /// <summary>A second fd of this TAP for the next process (see <see cref="Adopt"/>); -1 with errno on failure.</summary>
    public int DuplicateDescriptor() => _fd.Duplicate();

    public DeviceResult Read(Span<byte> buffer)
    {
        if (!_fd.TryEnter())
            return DeviceResult.Closed;
        try
        {
            fixed (byte* p = buffer)
            {
                while (true)
                {
                    nint n = LinuxNative.Read(_fd.Fd, p, (nuint)buffer.Length);
                    if (n >= 0)
                    {
                        // tun reports the whole frame length even when it copied only what fitted.
                        return n <= buffer.Length ? DeviceResult.Ok((int)n) : DeviceResult.Error(Errno.EMSGSIZE);
                    }
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
                }
            }
        }
        finally
        {
            _fd.Exit();
        }
    }

    public DeviceResult Write(ReadOnlySpan<byte> frame) => _fd.Transmit(frame, &LinuxNative.Write);

    /// <summary>Wakes a blocked <see cref="Read"/> (it returns Closed) and closes the fd; a non-persistent TAP is removed.</summary>
    public void Dispose() => _fd.Shutdown();

    public override string ToString() => $"tap '{Name}'";

    private static void Attach(int fd, string name)
    {
        var request = default(InterfaceRequest);
        SetName(ref request, name);
        request.Flags = IFF_TAP | IFF_NO_PI;
        if (Ioctl(fd, TUNSETIFF, &request) >= 0)
            return;
        int errno = Marshal.GetLastPInvokeError();
        throw new DeviceSetupException(name, errno, errno switch
        {
            Errno.EPERM or Errno.EACCES => $"cannot create or attach tap '{name}': permission denied; run as root or grant CAP_NET_ADMIN (or create it first with 'ip tuntap add dev {name} mode tap user <uid>')",
            Errno.EBUSY => $"cannot attach tap '{name}': another process holds it open; stop that process or choose another name",
            Errno.EINVAL => $"cannot attach tap '{name}': an interface of that name exists but is not a tap with these flags (tun mode, packet info or vnet header); delete it ('ip link del {name}') or choose another name",
            _ => $"cannot create or attach tap '{name}': {Errno.Describe(errno)}",
        });
    }

    private static void SetPersistent(int fd, string name, bool persistent)
    {
        // TUNSETPERSIST takes its argument by value, not by pointer.
        if (Ioctl(fd, TUNSETPERSIST, (void*)(persistent ? 1 : 0)) >= 0)
            return;
        int errno = Marshal.GetLastPInvokeError();
        throw new DeviceSetupException(name, errno, $"cannot set persistence of tap '{name}' to {persistent}: {Errno.Describe(errno)}");
    }

    private static DeviceSetupException OpenFailure(string name, int errno) => new(ClonePath, errno, errno switch
    {
        Errno.EPERM or Errno.EACCES => $"cannot open {ClonePath} for tap '{name}': permission denied; run as root or grant CAP_NET_ADMIN",
        Errno.ENOENT => $"cannot open {ClonePath} for tap '{name}': no such device node; load the tun module ('modprobe tun') or create it ('mknod /dev/net/tun c 10 200')",
        Errno.ENODEV or Errno.ENXIO => $"cannot open {ClonePath} for tap '{name}': the kernel has no tun driver; load it with 'modprobe tun'",
        _ => $"cannot open {ClonePath} for tap '{name}': {Errno.Describe(errno)}",
    });
}

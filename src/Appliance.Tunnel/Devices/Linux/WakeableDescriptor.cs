using System.Runtime.InteropServices;
using static Appliance.Tunnel.Devices.Linux.LinuxNative;

namespace Appliance.Tunnel.Devices.Linux;

/// <summary>A non-blocking device fd paired with an eventfd, so a thread waiting in poll() wakes when the device is closed.</summary>
/// <remarks>
/// Closing an fd does not wake a read blocked on it in Linux, and an fd number closed under a running call may be
/// reused by another open. So callers wrap each call in <see cref="TryEnter"/>/<see cref="Exit"/> (a SafeHandle
/// reference) and the fds are closed only when the last call in flight has left; <see cref="Shutdown"/> signals the
/// eventfd first, which stays readable for ever, so every later wait returns at once.
/// </remarks>
internal sealed unsafe class WakeableDescriptor : SafeHandle
{
    private readonly int _wakeFd;
    private volatile bool _closing;

    private WakeableDescriptor(int fd, int wakeFd)
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
        SetHandle(fd);
        _wakeFd = wakeFd;
    }

    public override bool IsInvalid => handle == -1;

    /// <summary>The device fd; valid between <see cref="TryEnter"/> and <see cref="Exit"/>.</summary>
    public int Fd => (int)handle;

    public bool IsClosing => _closing;

    /// <summary>Takes ownership of a non-blocking <paramref name="fd"/> and adds its wake-up eventfd; closes the fd on failure.</summary>
    public static WakeableDescriptor Own(int fd, string interfaceName)
    {
        int wakeFd = EventFd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (wakeFd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            LinuxNative.Close(fd);
            throw new DeviceSetupException(interfaceName, errno,
                $"cannot create the wake-up eventfd for '{interfaceName}': {Errno.Describe(errno)}; raise the open-files limit (ulimit -n)");
        }
        return new WakeableDescriptor(fd, wakeFd);
    }

    /// <summary>Holds the fds open for one call; false once the device is closing.</summary>
    public bool TryEnter()
    {
        if (_closing)
            return false;
        bool added = false;
        try
        {
            DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        return added;
    }

    public void Exit() => DangerousRelease();

    /// <summary>Waits until the device fd reports <paramref name="events"/> (or an error), or the device is closed.</summary>
    /// <returns>0 when the fd is ready, -1 when closing, else the errno of poll().</returns>
    public int Wait(short events)
    {
        var fds = stackalloc PollFd[2];
        while (true)
        {
            fds[0] = new PollFd { Fd = Fd, Events = events };
            fds[1] = new PollFd { Fd = _wakeFd, Events = POLLIN };
            int ready = Poll(fds, 2, -1);
            if (ready < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR)
                    continue;
                return errno;
            }
            if (_closing || fds[1].ReturnedEvents != 0)
                return -1;
            // POLLERR/POLLHUP count as ready: the next read or write returns the error as a value.
            if (fds[0].ReturnedEvents != 0)
                return 0;
        }
    }

    /// <summary>Writes one whole frame with <paramref name="transmit"/> (write or send), waiting for room like a
    /// blocking descriptor would but waking on dispose. ENOBUFS and other errors are returned, never retried: retrying would spin.</summary>
    public DeviceResult Transmit(ReadOnlySpan<byte> frame, delegate*<int, byte*, nuint, nint> transmit)
    {
        if (!TryEnter())
            return DeviceResult.Closed;
        try
        {
            fixed (byte* p = frame)
            {
                while (true)
                {
                    nint n = transmit(Fd, p, (nuint)frame.Length);
                    if (n >= 0)
                        return DeviceResult.Ok((int)n);
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == Errno.EINTR)
                        continue;
                    if (errno != Errno.EAGAIN)
                        return DeviceResult.Error(errno);
                    int wait = Wait(POLLOUT);
                    if (wait < 0)
                        return DeviceResult.Closed;
                    if (wait > 0)
                        return DeviceResult.Error(wait);
                }
            }
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>A second fd of the same open device (close-on-exec), for the next process: the device (a TAP interface, a
    /// bound packet socket) lives on while either fd is open. -1 with errno when it cannot be made or the device is closing.</summary>
    public int Duplicate()
    {
        if (!TryEnter())
            return -1;
        try
        {
            return Fcntl(Fd, F_DUPFD_CLOEXEC, 0);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Wakes every waiter and closes the fds once no call is in flight. Idempotent.</summary>
    public void Shutdown()
    {
        if (_closing)
            return;
        _closing = true;
        ulong one = 1;
        _ = LinuxNative.Write(_wakeFd, (byte*)&one, sizeof(ulong));
        Dispose();
    }

    protected override bool ReleaseHandle()
    {
        LinuxNative.Close((int)handle);
        LinuxNative.Close(_wakeFd);
        return true;
    }
}

using System.Runtime.InteropServices;
using static Appliance.Tunnel.Devices.Linux.LinuxNative;

namespace Appliance.Tunnel.Devices.Linux;

/// <summary>Interface ioctls (index, MTU, up, bridge port) through a control socket in the caller's network namespace.</summary>
/// <remarks>Set-up only: each failure throws a <see cref="DeviceSetupException"/> naming the interface and the fix.</remarks>
internal sealed unsafe class InterfaceControl : IDisposable
{
    private readonly int _socket;

    private InterfaceControl(int socket) => _socket = socket;

    public static InterfaceControl Open(string interfaceName)
    {
        int fd = Socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new DeviceSetupException(interfaceName, errno,
                $"cannot open a control socket to configure '{interfaceName}': {Errno.Describe(errno)}");
        }
        return new InterfaceControl(fd);
    }

    /// <summary>Throws unless <paramref name="name"/> can be an interface name (1–15 ASCII bytes, no '/', ':' or space).</summary>
    public static void ValidateName(string name, string role)
    {
        ArgumentNullException.ThrowIfNull(name);
        bool valid = name.Length is > 0 and < InterfaceNameSize && name != "." && name != "..";
        foreach (char c in name)
            valid &= c is > ' ' and < (char)127 and not '/' and not ':';
        if (!valid)
            throw new ArgumentException($"{role} name '{name}' is not a Linux interface name: use 1 to 15 ASCII characters without '/', ':' or spaces", nameof(name));
    }

    public int GetIndex(string name)
    {
        var request = Request(name);
        if (Ioctl(_socket, SIOCGIFINDEX, &request) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new DeviceSetupException(name, errno, errno == Errno.ENODEV
                ? $"network interface '{name}' not found; check the name with 'ip link show'"
                : $"cannot look up network interface '{name}': {Errno.Describe(errno)}");
        }
        return request.Value;
    }

    public int GetMtu(string name)
    {
        var request = Request(name);
        if (Ioctl(_socket, SIOCGIFMTU, &request) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new DeviceSetupException(name, errno, $"cannot read the MTU of '{name}': {Errno.Describe(errno)}");
        }
        return request.Value;
    }

    public void SetMtu(string name, int mtu)
    {
        var request = Request(name);
        request.Value = mtu;
        if (Ioctl(_socket, SIOCSIFMTU, &request) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new DeviceSetupException(name, errno, errno switch
            {
                Errno.EINVAL => $"cannot set MTU {mtu} on '{name}': the interface accepts 68..65535; choose an MTU in that range",
                Errno.EPERM or Errno.EACCES => $"cannot set MTU {mtu} on '{name}': permission denied; run as root or grant CAP_NET_ADMIN",
                _ => $"cannot set MTU {mtu} on '{name}': {Errno.Describe(errno)}",
            });
        }
    }

    public void BringUp(string name)
    {
        var request = Request(name);
        if (Ioctl(_socket, SIOCGIFFLAGS, &request) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new DeviceSetupException(name, errno, $"cannot read the flags of '{name}': {Errno.Describe(errno)}");
        }
        if ((request.Flags & IFF_UP) != 0)
            return;
        request.Flags |= IFF_UP;
        if (Ioctl(_socket, SIOCSIFFLAGS, &request) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new DeviceSetupException(name, errno, errno is Errno.EPERM or Errno.EACCES
                ? $"cannot bring '{name}' up: permission denied; run as root or grant CAP_NET_ADMIN"
                : $"cannot bring '{name}' up: {Errno.Describe(errno)}");
        }
    }

    /// <summary>Makes <paramref name="portName"/> a port of the existing bridge <paramref name="bridge"/> (SIOCBRADDIF).</summary>
    public void AddToBridge(string bridge, string portName, int portIndex)
    {
        var request = Request(bridge);
        request.Value = portIndex;
        if (Ioctl(_socket, SIOCBRADDIF, &request) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new DeviceSetupException(bridge, errno, errno switch
            {
                Errno.ENODEV => $"cannot add '{portName}' to bridge '{bridge}': bridge '{bridge}' not found; create it with 'ip link add {bridge} type bridge'",
                Errno.EOPNOTSUPP or Errno.EINVAL => $"cannot add '{portName}' to bridge '{bridge}': '{bridge}' is not a bridge; name a Linux bridge",
                Errno.EBUSY => $"cannot add '{portName}' to bridge '{bridge}': '{portName}' is already a port of a bridge or bond; release it first ('ip link set {portName} nomaster')",
                Errno.ELOOP => $"cannot add '{portName}' to bridge '{bridge}': it would make a loop of bridges",
                Errno.EPERM or Errno.EACCES => $"cannot add '{portName}' to bridge '{bridge}': permission denied; run as root or grant CAP_NET_ADMIN",
                _ => $"cannot add '{portName}' to bridge '{bridge}': {Errno.Describe(errno)}",
            });
        }
    }

    public void Dispose() => LinuxNative.Close(_socket);

    private static InterfaceRequest Request(string name)
    {
        var request = default(InterfaceRequest);
        SetName(ref request, name);
        return request;
    }
}

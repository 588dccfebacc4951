using System.Globalization;
using System.Runtime.InteropServices;

namespace Appliance.Tunnel.Devices;

/// <summary>The Linux errno values a device reports in <see cref="DeviceResult.ErrorCode"/> and the ones we act on.</summary>
/// <remarks>The in-memory double reports the same values, so a port handles a double and a real device alike.</remarks>
public static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int ENXIO = 6;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int ENODEV = 19;
    public const int EINVAL = 22;
    public const int ELOOP = 40;
    public const int ENOPROTOOPT = 92;
    public const int EBADFD = 77;
    public const int EMSGSIZE = 90;
    public const int EOPNOTSUPP = 95;
    public const int ENETDOWN = 100;
    public const int ENOBUFS = 105;

    /// <summary>"Operation not permitted (errno 1)", for operator messages; allocates, so never on the data path.</summary>
    public static string Describe(int errno) =>
        string.Create(CultureInfo.InvariantCulture, $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
}

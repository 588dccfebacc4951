using System.Globalization;
using System.Net;

namespace Appliance.Tunnel.Tests.Support;

/// <summary>The kernel's own count of datagrams it dropped for one bound IPv4 UDP socket (receive buffer full): the
/// <c>drops</c> column of /proc/net/udp. What the kernel dropped never reached the server and is not the server's to count.</summary>
internal static class UdpSocketDrops
{
    /// <summary>Drops of the socket bound to <paramref name="local"/>; -1 when no such socket is listed (or not on Linux).</summary>
    public static long Read(IPEndPoint local)
    {
        if (!File.Exists("/proc/net/udp"))
            return -1;
        var bytes = local.Address.GetAddressBytes();
        // /proc prints the address as the host-order (little-endian on x86) u32 in hex, then the port.
        string wanted = $"{bytes[3]:X2}{bytes[2]:X2}{bytes[1]:X2}{bytes[0]:X2}:{local.Port:X4}";
        foreach (var line in File.ReadLines("/proc/net/udp").Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 13 && fields[1] == wanted)
                return long.Parse(fields[^1], CultureInfo.InvariantCulture);
        }
        return -1;
    }
}

using System.Globalization;
using Appliance.EndToEnd.Tests.Support;

namespace Appliance.TunnelBench;

/// <summary>A counter of a namespace's UDP stack from /proc/net/snmp ("Udp:" lines), e.g. RcvbufErrors: datagrams lost to a full socket buffer.</summary>
public static class UdpCounters
{
    public static long Read(NetworkNamespace ns, string name)
    {
        string[] header = [], values = [];
        foreach (var line in ns.Exec("cat", "/proc/net/snmp").Split('\n'))
        {
            if (!line.StartsWith("Udp: ", StringComparison.Ordinal))
                continue;
            if (header.Length == 0)
                header = line.Split(' ');
            else
                values = line.Split(' ');
        }
        int column = Array.IndexOf(header, name);
        if (column < 0 || column >= values.Length)
            throw new ArgumentException($"no UDP counter '{name}' in /proc/net/snmp of '{ns.Name}'", nameof(name));
        return long.Parse(values[column], CultureInfo.InvariantCulture);
    }
}

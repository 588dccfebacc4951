using System.Globalization;

namespace Appliance.TunnelBench;

/// <summary>User + system CPU time of a process (all its threads) from /proc/PID/stat.</summary>
public static class ProcessCpu
{
    // USER_HZ is 100 on every Linux ABI .NET runs on (x86-64, arm64); /proc reports clock ticks in it.
    private const double TicksPerSecond = 100.0;

    /// <summary>CPU seconds used so far by <paramref name="pid"/>, or by this process when null.</summary>
    public static double Seconds(int? pid = null)
    {
        string stat = File.ReadAllText(pid is int p ? $"/proc/{p.ToString(CultureInfo.InvariantCulture)}/stat" : "/proc/self/stat");
        // proc(5): the command name in field 2 may hold spaces, so count fields after its closing parenthesis;
        // utime and stime are fields 14 and 15, i.e. the 12th and 13th after it.
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / TicksPerSecond;
    }

    /// <summary>Busy and total CPU seconds of the whole machine (all cores) from the "cpu" line of /proc/stat.</summary>
    public static (double Busy, double Total) Machine()
    {
        string line = File.ReadLines("/proc/stat").First();
        string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long total = 0, idle = 0;
        // user nice system idle iowait irq softirq steal (guest time is already inside user).
        for (int i = 1; i <= 8 && i < fields.Length; i++)
        {
            long value = long.Parse(fields[i], CultureInfo.InvariantCulture);
            total += value;
            if (i is 4 or 5)
                idle += value;
        }
        return ((total - idle) / TicksPerSecond, total / TicksPerSecond);
    }
}

using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace Appliance.EndToEnd.Tests.Support;

/// <summary>A named Linux network namespace this test run created (ip netns add) and deletes on dispose.</summary>
/// <remarks>
/// Setup runs `ip` with an argument list, never a shell. Code that must create fds inside the namespace (a TAP,
/// a raw socket) runs through <see cref="InvokeInside{T}"/> on a fresh thread that setns()es into it; the fds stay
/// bound to this namespace and can be used from any thread afterwards.
/// </remarks>
public sealed partial class NetworkNamespace : IDisposable
{
    private const int CloneNewNet = 0x40000000;
    private bool _deleted;

    private NetworkNamespace(string name) => Name = name;

    public string Name { get; }

    /// <summary>Creates a namespace with a fresh name such as <c>appl-l2-3f9c1a2b</c>.</summary>
    public static NetworkNamespace Create(string prefix = "appl-l2")
    {
        string name = $"{prefix}-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray(), 0, 4)}";
        Run("ip", "netns", "add", name);
        var ns = new NetworkNamespace(name);
        try
        {
            ns.Ip("link", "set", "lo", "up");
        }
        catch
        {
            ns.Dispose();
            throw;
        }
        return ns;
    }

    /// <summary>Runs <c>ip -n NAME args…</c>; throws with its stderr on failure.</summary>
    public string Ip(params string[] args) => Run("ip", ["-n", Name, .. args]);

    /// <summary>Runs a program inside the namespace (ip netns exec); throws with its stderr on failure.</summary>
    public string Exec(string program, params string[] args) => Run("ip", ["netns", "exec", Name, program, .. args]);

    /// <summary>Like <see cref="Exec"/> but returns the exit code instead of throwing.</summary>
    public int TryExec(string program, params string[] args) => TryRun("ip", ["netns", "exec", Name, program, .. args], out _);

    /// <summary>Sets a sysctl inside the namespace (net.* keys are per namespace).</summary>
    public void SetSysctl(string key, string value) => Exec("sysctl", "-q", "-w", $"{key}={value}");

    /// <summary>
    /// Adds an up, STP-less bridge with multicast snooping off (without a querier a snooping bridge can stop
    /// forwarding multicast such as IPv6 neighbour discovery) and the namespace's bridge-nf-call-* sysctls at 0
    /// (br_netfilter would hand bridged IP frames to iptables, which trims padding and drops odd headers).
    /// </summary>
    public void AddBridge(string name, int? mtu = null)
    {
        Ip("link", "add", name, "type", "bridge", "stp_state", "0", "mcast_snooping", "0");
        if (mtu is int value)
            Ip("link", "set", name, "mtu", value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Ip("link", "set", name, "up");
        DisableBridgeNetfilter();
    }

    /// <summary>Sets net.bridge.bridge-nf-call-{iptables,ip6tables,arptables} to 0 where br_netfilter provides them.</summary>
    public void DisableBridgeNetfilter()
    {
        foreach (var key in new[] { "bridge-nf-call-iptables", "bridge-nf-call-ip6tables", "bridge-nf-call-arptables" })
        {
            if (TryExec("sysctl", "-n", $"net.bridge.{key}") == 0)
                SetSysctl($"net.bridge.{key}", "0");
        }
    }

    /// <summary>Adds a persistent TAP (owned by nobody; a process opens it by name later), up, as a port of <paramref name="bridge"/>.</summary>
    public void AddTap(string name, string bridge)
    {
        Ip("tuntap", "add", "dev", name, "mode", "tap");
        Ip("link", "set", name, "master", bridge, "up");
    }

    /// <summary>A counter of the namespace's IPv4 stack from /proc/net/snmp, e.g. "FragCreates" (outgoing fragments made).</summary>
    public long Ipv4Counter(string name)
    {
        var lines = Exec("cat", "/proc/net/snmp").Split('\n').Where(line => line.StartsWith("Ip: ", StringComparison.Ordinal)).ToArray();
        if (lines.Length < 2)
            throw new InvalidOperationException($"no Ip: lines in /proc/net/snmp of '{Name}'");
        int column = Array.IndexOf(lines[0].Split(' '), name);
        if (column < 0)
            throw new ArgumentException($"no IPv4 counter '{name}'; known: {lines[0]}", nameof(name));
        return long.Parse(lines[1].Split(' ')[column], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Starts a long-running program inside the namespace (ip netns exec, which execs it: the PID is the program's).</summary>
    public NamespaceProcess Start(string program, IEnumerable<string> args, string? outputPath = null, bool ownProcessGroup = false) =>
        NamespaceProcess.Start("ip", ["netns", "exec", Name, program, .. args], outputPath, ownProcessGroup);

    /// <summary>Runs <paramref name="action"/> on a new thread that has joined this namespace; rethrows its exception.</summary>
    public T InvokeInside<T>(Func<T> action)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                // The thread ends after the call, so its namespace never leaks into other work.
                using (var handle = File.OpenHandle($"/run/netns/{Name}"))
                {
                    if (SetNamespace((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                        throw new InvalidOperationException($"setns into '{Name}' failed: errno {Marshal.GetLastPInvokeError()}");
                }
                result = action();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            IsBackground = true,
            Name = $"netns {Name}",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    public void Dispose()
    {
        if (_deleted)
            return;
        _deleted = true;
        TryRun("ip", ["netns", "del", Name], out _);
    }

    public static string Run(string program, params string[] args)
    {
        int code = TryRun(program, args, out var output);
        if (code != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({code}): {output}");
        return output;
    }

    public static int TryRun(string program, string[] args, out string output)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        output = stdout + stderr.Result;
        return process.ExitCode;
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNamespace(int fd, int namespaceType);
}

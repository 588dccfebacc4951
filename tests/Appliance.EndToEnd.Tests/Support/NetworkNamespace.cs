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

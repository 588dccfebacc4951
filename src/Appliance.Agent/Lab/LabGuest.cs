using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Appliance.Agent.Lab;

/// <summary>One boot of the lab's ISP guest: the user-mode-linux process, its console (to a log file) and how it is stopped.</summary>
/// <remarks>
/// UML runs one host process per guest address space besides its main one; the guest is started under <c>setsid</c>
/// (which execs in place, so the process group id is the main PID) and stopping it SIGTERMs the main PID (UML halts and
/// reaps its helpers), SIGKILLs it after a grace period, then SIGKILLs the group so no helper outlives it. Processes are
/// only ever signalled by the PID this object started.
/// </remarks>
internal sealed partial class LabGuest : IDisposable
{
    private const int SigTerm = 15;
    private const int SigKill = 9;
    private const int TailLines = 12;
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);
    private readonly Process _process;
    private readonly StreamWriter _console;
    private readonly Queue<string> _tail = new();
    private readonly TaskCompletionSource _running = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _disposed;

    private LabGuest(Process process, StreamWriter console)
    {
        _process = process;
        _console = console;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Completes when the guest's init reports pppoe-server running.</summary>
    public Task Running => _running.Task;

    /// <summary>The last console lines (for a status that says why the guest failed).</summary>
    public string Tail()
    {
        lock (_tail)
            return string.Join(" | ", _tail);
    }

    /// <summary>Boots the guest on <see cref="LabPppoeServerOptions.TapName"/>; its console is appended to <paramref name="consoleLog"/>.</summary>
    public static LabGuest Start(LabPppoeServerOptions options, string initScript, string consoleLog)
    {
        var start = new ProcessStartInfo("setsid")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (options.NetworkNamespace is { } ns)
        {
            foreach (var word in new[] { "ip", "netns", "exec", ns })
                start.ArgumentList.Add(word);
        }
        string[] uml =
        [
            options.UmlPath, "mem=256M", "root=/dev/root", "rootfstype=hostfs", "rootflags=/", "ro",
            $"eth0=tuntap,{options.TapName},{options.GuestMac}", "con=null", "con0=null,fd:1", "ssl=null",
            $"uml_dir={Path.Combine(options.Directory, "uml")}", $"umid={options.Umid}",
            $"{LabGuestInit.CommandLineKey}={options.Directory}", $"init={initScript}",
        ];
        foreach (var word in uml)
            start.ArgumentList.Add(word);
        var console = new StreamWriter(consoleLog, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = start };
        var guest = new LabGuest(process, console);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => guest._exited.TrySetResult();
        process.OutputDataReceived += (_, e) => guest.OnConsole(e.Data);
        process.ErrorDataReceived += (_, e) => guest.OnConsole(e.Data);
        try
        {
            process.Start();
        }
        catch
        {
            console.Dispose();
            process.Dispose();
            throw;
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return guest;
    }

    /// <summary>Completes when the main UML process has ended.</summary>
    /// <remarks>
    /// Not <see cref="Process.WaitForExitAsync"/>: with redirected output it also waits for end of file, which UML's helper
    /// processes (still alive in the group after their parent died) would hold off until <see cref="Stop"/> kills them.
    /// </remarks>
    public Task WaitForExitAsync(CancellationToken cancellationToken) => _exited.Task.WaitAsync(cancellationToken);

    /// <summary>Stops the guest by its PID (SIGTERM, SIGKILL after a grace period) and kills what is left of its process group.</summary>
    public void Stop()
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, SigTerm);
            if (!_process.WaitForExit(StopGrace))
                _process.Kill();
        }
        _process.WaitForExit(StopGrace);
        _ = Kill(-_process.Id, SigKill); // the group this guest leads; ESRCH when no helper is left
        // Bounded: without a timeout WaitForExit also waits for EOF on the output, which a stray helper could hold.
        _process.WaitForExit(StopGrace);
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        Stop();
        _process.Dispose();
        lock (_tail)
            _console.Dispose();
    }

    private void OnConsole(string? line)
    {
        if (line is null)
            return;
        lock (_tail)
        {
            if (!_disposed)
                _console.WriteLine(line);
            // UML's "epollctl add err fd 1" lines are noise (its stdout is a pipe), not a reason for anything.
            if (!line.Contains("epollctl", StringComparison.Ordinal))
            {
                _tail.Enqueue(line.Trim());
                if (_tail.Count > TailLines)
                    _tail.Dequeue();
            }
        }
        if (line.Contains(LabGuestInit.RunningMarker, StringComparison.Ordinal))
            _running.TrySetResult();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Appliance.EndToEnd.Tests.Support;

/// <summary>A long-running process this test started; stopped by its own PID (SIGTERM, then SIGKILL) and never by name.</summary>
/// <remarks>
/// Standard output and error are collected line by line into <see cref="Output"/> and, when a path is given, a file
/// kept for post-mortems. Standard input is closed at once. A program that spawns helpers of its own (user-mode
/// Linux: one host process per guest address space, ptrace-stopped if their tracer dies) runs in a process group of
/// its own (`setsid`, which execs in place, so the group id is this PID); stopping it then also SIGKILLs that group,
/// so no helper outlives it holding the output pipe. Waits are bounded: a stray holder of the pipe cannot hang a test.
/// </remarks>
public sealed partial class NamespaceProcess : IDisposable
{
    private const int SigTerm = 15;
    private const int SigKill = 9;
    private static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);
    private readonly Process _process;
    private readonly bool _ownGroup;
    private readonly StringBuilder _output = new();
    private readonly StreamWriter? _file;
    private bool _disposed;
    private bool _fileClosed;

    private NamespaceProcess(Process process, StreamWriter? file, bool ownGroup)
    {
        _process = process;
        _file = file;
        _ownGroup = ownGroup;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once the process has ended; null while it runs.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Everything the process wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <param name="ownProcessGroup">Run under `setsid` and SIGKILL the whole group on stop (for programs with helpers).</param>
    public static NamespaceProcess Start(string program, IEnumerable<string> args, string? outputPath = null, bool ownProcessGroup = false)
    {
        var start = new ProcessStartInfo(ownProcessGroup ? "setsid" : program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (ownProcessGroup)
            start.ArgumentList.Add(program);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        var file = outputPath is null ? null : new StreamWriter(outputPath, append: false) { AutoFlush = true };
        var process = new Process { StartInfo = start };
        var owned = new NamespaceProcess(process, file, ownProcessGroup);
        process.OutputDataReceived += (_, e) => owned.Append(e.Data);
        process.ErrorDataReceived += (_, e) => owned.Append(e.Data);
        try
        {
            process.Start();
        }
        catch
        {
            file?.Dispose();
            process.Dispose();
            throw;
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return owned;
    }

    /// <summary>Waits until <see cref="Output"/> contains <paramref name="text"/>; false on timeout or if the process ended first.</summary>
    public bool WaitForOutput(string text, TimeSpan timeout) =>
        Poll.Until(() => Output.Contains(text, StringComparison.Ordinal), timeout, stopEarly: () => _process.HasExited)
        || Output.Contains(text, StringComparison.Ordinal);

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    /// <summary>SIGTERM to this PID, then SIGKILL after <paramref name="grace"/>; returns the exit code.</summary>
    public int Stop(TimeSpan? grace = null)
    {
        if (!_process.HasExited)
        {
            _ = SendSignal(_process.Id, SigTerm);
            if (!_process.WaitForExit(grace ?? DefaultGrace))
                _process.Kill();
        }
        return Reap();
    }

    /// <summary>SIGKILL to this PID, no chance to say goodbye (no explicit-exit-notify, no PADT).</summary>
    public int Kill()
    {
        if (!_process.HasExited)
            _process.Kill();
        return Reap();
    }

    private int Reap()
    {
        _process.WaitForExit(DrainTimeout);
        if (_ownGroup)
            _ = SendSignal(-_process.Id, SigKill); // helpers left in the group this process led; ESRCH when none are
        // Without a timeout WaitForExit also waits for EOF on the redirected output, which a stray helper could hold.
        _process.WaitForExit(DrainTimeout);
        return _process.HasExited ? _process.ExitCode : -1;
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        try
        {
            Stop();
        }
        finally
        {
            _process.Dispose();
            lock (_output)
            {
                _fileClosed = true;
                _file?.Dispose();
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
        {
            _output.Append(line).Append('\n');
            if (!_fileClosed)
                _file?.WriteLine(line);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace Appliance.EndToEnd.Tests.Support;

/// <summary>
/// One real `openvpn` 2.6 (client or server) in a namespace: its config, log, pid file and TAP up-script live in a
/// temporary directory this object deletes; the process is stopped by its own PID.
/// </summary>
/// <remarks>
/// The TAP is brought up (and, if asked, joined to a bridge) by an `--up` script given on the command line, not in
/// the config: OpenVPN leaves an IP-less TAP down (openvpn-protocol.md §7.4), and it closes and re-creates the TAP
/// on every internal restart (ping-restart, a server's RESTART, SIGUSR1) without persist-tun, so a one-shot
/// `ip link set up` from the test would be lost while the script runs on every open, before "Initialization
/// Sequence Completed". The profile under test stays exactly what a user would get. With <c>profileScripts</c> the
/// fixture adds no script options at all, so the profile's own <c>script-security</c> and <c>up</c> lines are the
/// ones that run (and the TAP stays down if they do not work).
/// </remarks>
public sealed partial class OpenVpnProcess : IDisposable
{
    private const string UpScript = """
        #!/bin/sh
        # openvpn --up: $1 is the TAP. Brings it up and, if E2E_BRIDGE is set, makes it a port of that bridge.
        PATH=/usr/sbin:/usr/bin:/sbin:/bin
        ip link set dev "$1" up || exit 1
        if [ -n "$E2E_BRIDGE" ]; then
            ip link set dev "$1" master "$E2E_BRIDGE" || exit 1
        fi

        """;

    private readonly NetworkNamespace _namespace;
    private readonly string? _bridge;
    private readonly bool _profileScripts;
    private readonly DirectoryInfo _directory;
    private readonly string _configPath;
    private readonly string _upScriptPath;
    private NamespaceProcess? _process;
    private int _run;

    public OpenVpnProcess(NetworkNamespace ns, string config, string? bridge, bool profileScripts = false)
    {
        if (profileScripts && bridge is not null)
            throw new ArgumentException("the profile's own scripts cannot join a bridge; bridge the TAP from the test", nameof(bridge));
        _namespace = ns;
        _bridge = bridge;
        _profileScripts = profileScripts;
        _directory = Directory.CreateTempSubdirectory("appl-ovpn-");
        try
        {
            _configPath = Path.Combine(_directory.FullName, "config.ovpn");
            ScratchFiles.WritePrivate(_configPath, config);
            _upScriptPath = Path.Combine(_directory.FullName, "tap-up.sh");
            ScratchFiles.WriteExecutable(_upScriptPath, UpScript);
        }
        catch
        {
            _directory.Delete(recursive: true);
            throw;
        }
    }

    /// <summary>The current run's log file (each <see cref="Start"/> writes a new one).</summary>
    public string LogPath => Path.Combine(_directory.FullName, $"openvpn-{_run.ToString(CultureInfo.InvariantCulture)}.log");

    /// <summary>The current run's log, plus anything it printed before the log file was open.</summary>
    public string Log
    {
        get
        {
            string text = "";
            if (File.Exists(LogPath))
            {
                using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(stream);
                text = reader.ReadToEnd();
            }
            string output = _process?.Output ?? "";
            return output.Length == 0 ? text : text + output;
        }
    }

    /// <summary>The TAP this run opened, e.g. "tap0", read from its "TUN/TAP device … opened" line; null before that.</summary>
    public string? TapName
    {
        get
        {
            var matches = TapOpened().Matches(Log);
            return matches.Count == 0 ? null : matches[^1].Groups[1].Value;
        }
    }

    public int Pid => _process?.Pid ?? throw new InvalidOperationException("openvpn was never started");

    public bool HasExited => _process?.HasExited ?? true;

    public int? ExitCode => _process?.ExitCode;

    /// <summary>Starts a new run (a fresh log file); the previous run must have ended.</summary>
    public void Start()
    {
        if (_process is { HasExited: false })
            throw new InvalidOperationException($"openvpn (PID {_process.Pid}) is still running");
        _process?.Dispose();
        _run++;
        string pidPath = Path.Combine(_directory.FullName, $"openvpn-{_run.ToString(CultureInfo.InvariantCulture)}.pid");
        List<string> args = ["--config", _configPath, "--log", LogPath, "--writepid", pidPath];
        if (!_profileScripts)
            args.AddRange(["--script-security", "2", "--up", _upScriptPath]);
        if (_bridge is not null)
            args.AddRange(["--setenv", "E2E_BRIDGE", _bridge]);
        _process = _namespace.Start("openvpn", args);
    }

    /// <summary>Waits until the current run's log holds <paramref name="text"/> <paramref name="occurrences"/> times; false on timeout or exit.</summary>
    public bool WaitForLog(string text, TimeSpan timeout, int occurrences = 1) =>
        Poll.Until(() => Count(Log, text) >= occurrences, timeout, stopEarly: () => HasExited)
        || Count(Log, text) >= occurrences;

    /// <summary>Like <see cref="WaitForLog"/>, but throws with the log when the text does not come.</summary>
    public void ExpectLog(string text, TimeSpan timeout, int occurrences = 1)
    {
        if (!WaitForLog(text, timeout, occurrences))
        {
            string state = HasExited ? $"exited with {ExitCode}" : "still running";
            throw new TimeoutException($"openvpn ({state}) did not log \"{text}\" within {timeout.TotalSeconds} s; log:\n{Log}");
        }
    }

    /// <summary>SIGTERM (the client sends its exit notification), SIGKILL after a grace period; returns the exit code.</summary>
    public int Stop() => _process?.Stop() ?? 0;

    /// <summary>SIGKILL: the peer is not told.</summary>
    public int Kill() => _process?.Kill() ?? 0;

    public void Dispose()
    {
        try
        {
            _process?.Dispose();
        }
        finally
        {
            _directory.Delete(recursive: true);
        }
    }

    private static int Count(string haystack, string needle)
    {
        int count = 0;
        for (int at = haystack.IndexOf(needle, StringComparison.Ordinal); at >= 0; at = haystack.IndexOf(needle, at + needle.Length, StringComparison.Ordinal))
            count++;
        return count;
    }

    [GeneratedRegex(@"TUN/TAP device (\S+) opened")]
    private static partial Regex TapOpened();
}

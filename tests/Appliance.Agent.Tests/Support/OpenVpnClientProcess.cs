using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Appliance.Agent.Tests.Support;

/// <summary>The real OpenVPN 2.6 client (<c>/usr/sbin/openvpn</c>) on a profile the agent rendered; killed by PID at dispose.</summary>
public sealed partial class OpenVpnClientProcess : IDisposable
{
    public const string Binary = "/usr/sbin/openvpn";

    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly string _directory;

    private OpenVpnClientProcess(string directory, Process process)
    {
        _directory = directory;
        _process = process;
    }

    public static bool IsInstalled => File.Exists(Binary);

    public bool HasExited => _process.HasExited;

    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    /// <summary>The tap device the client opened (from its log), once connected.</summary>
    public string? TapName => TapOpened().Match(Log) is { Success: true } m ? m.Groups[1].Value : null;

    public static OpenVpnClientProcess Start(string profile)
    {
        string directory = Directory.CreateTempSubdirectory("agent-ovpn-").FullName;
        File.WriteAllText(Path.Combine(directory, "client.ovpn"), profile);
        var start = new ProcessStartInfo(Binary)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add("client.ovpn");
        var process = new Process { StartInfo = start };
        var client = new OpenVpnClientProcess(directory, process);
        process.OutputDataReceived += (_, e) => client.Append(e.Data);
        process.ErrorDataReceived += (_, e) => client.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return client;
    }

    public async Task WaitForLogAsync(string text, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!Log.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the client never logged '{text}'; its log:\n{Log}");
            await Task.Delay(50);
        }
    }

    public async Task<bool> WaitForExitAsync(TimeSpan patience)
    {
        using var cts = new CancellationTokenSource(patience);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_log)
            _log.AppendLine(line);
    }

    [GeneratedRegex(@"TUN/TAP device (\S+) opened")]
    private static partial Regex TapOpened();
}

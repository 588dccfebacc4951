using System.Diagnostics;
using System.Text;

namespace Appliance.Web.Tests.EndToEnd;

/// <summary>
/// The stock OpenVPN 2.6 client on a profile the panel handed out, as a Linux user runs it (the profile's own <c>up</c>
/// brings the TAP up), with a TAP name of the test's own, optionally made beforehand without IPv6. Killed by PID and the
/// TAP removed at dispose.
/// </summary>
public sealed class RealOpenVpnClient : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    /// <param name="profilePath">The profile as downloaded.</param>
    /// <param name="hostIpv6">
    /// False to make the TAP beforehand with IPv6 off (OpenVPN then opens it by name), so the kernel sends nothing of its
    /// own into the tunnel; true leaves the TAP to OpenVPN and the kernel's IPv6 chatter on it.
    /// </param>
    public RealOpenVpnClient(string profilePath, bool hostIpv6 = true)
    {
        TapName = "pact" + Guid.NewGuid().ToString("N")[..6];
        if (!hostIpv6)
        {
            RealAgent.Run("ip", "tuntap", "add", "dev", TapName, "mode", "tap");
            RealAgent.Run("sysctl", "-qw", $"net.ipv6.conf.{TapName}.disable_ipv6=1");
        }
        var start = new ProcessStartInfo("openvpn")
        {
            WorkingDirectory = Path.GetDirectoryName(profilePath)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Options after --config override the profile's: only the device name changes (dev tap -> a unique tap).
        foreach (string arg in new[] { "--config", profilePath, "--dev", TapName, "--dev-type", "tap", "--verb", "3" })
            start.ArgumentList.Add(arg);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public const string Connected = "Initialization Sequence Completed";

    public string TapName { get; }

    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    public int Count(string text)
    {
        string log = Log;
        int n = 0;
        for (int i = log.IndexOf(text, StringComparison.Ordinal); i >= 0; i = log.IndexOf(text, i + text.Length, StringComparison.Ordinal))
            n++;
        return n;
    }

    public async Task WaitForAsync(string text, TimeSpan patience, int occurrences = 1)
    {
        var deadline = DateTime.UtcNow + patience;
        while (Count(text) < occurrences)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"openvpn exited ({_process.ExitCode}) before logging '{text}': {Log}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"openvpn did not log '{text}' {occurrences}× within {patience.TotalSeconds} s: {Log}");
            await Task.Delay(100);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }
        _process.Dispose();
        RealAgent.Run("ip", "link", "del", TapName);
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_log)
            _log.AppendLine(line);
    }
}

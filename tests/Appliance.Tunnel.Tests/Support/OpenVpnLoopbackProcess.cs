using System.Diagnostics;
using System.Text;
using Appliance.Tunnel.Tests.ControlChannel;

namespace Appliance.Tunnel.Tests.Support;

/// <summary>Starts the real OpenVPN binary on a config in a directory, collecting its output; waits on its log.</summary>
internal static class OpenVpnLoopbackProcess
{
    /// <summary>Runs <c>openvpn --config client.ovpn</c> in <paramref name="directory"/>; every output line goes to <paramref name="log"/>.</summary>
    public static Process Start(string directory, StringBuilder log) => Start(directory, "client.ovpn", log);

    /// <summary>Runs <c>openvpn --config <paramref name="configFile"/></c> in <paramref name="directory"/> (e.g. a reference server beside a client).</summary>
    public static Process Start(string directory, string configFile, StringBuilder log)
    {
        var start = new ProcessStartInfo(OpenVpnFactAttribute.Binary)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(configFile);
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static string Snapshot(StringBuilder log)
    {
        lock (log)
            return log.ToString();
    }

    public static async Task WaitForAsync(StringBuilder log, string line, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!Snapshot(log).Contains(line, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the client never logged '{line}'");
            await Task.Delay(50);
        }
    }
}

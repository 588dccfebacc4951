using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;

namespace Appliance.Agent.Tests.Systemd;

/// <summary>
/// The agent as systemd runs it under <c>Type=notify</c>: <c>$NOTIFY_SOCKET</c> set, an unprivileged user (as the unit's
/// DynamicUser; without CAP_NET_ADMIN the uplink stays detached and nothing is created on the host), the API on loopback.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class NotifyReadinessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    [Trait("Category", "EndToEnd")]
    public async Task The_agent_says_READY_once_its_API_answers_and_STOPPING_on_SIGTERM_then_exits_cleanly()
    {
        using var notify = new NotifySocket();
        using var scratch = new TemporaryStateDirectory();
        File.SetUnixFileMode(scratch.Parent, (UnixFileMode)0b111_111_111);
        int port = FreeLoopbackPort();
        using var agent = StartAgentAsNobody(notify.Path, scratch.Parent, scratch.StatePath, port);
        var output = new StringBuilder();
        agent.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        agent.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        agent.BeginOutputReadLine();
        agent.BeginErrorReadLine();
        try
        {
            bool ready = await notify.WaitForAsync("READY=1", Patience, () => agent.HasExited);
            Assert.True(ready, $"no READY=1 (received: {string.Join(" | ", notify.Received)}); agent output:\n{Locked(output)}");
            // Readiness means the API answers now, not eventually: one attempt, no retry.
            Assert.True(await ApiAnswersAsync(port), $"READY=1 came but nothing answers on 127.0.0.1:{port}; agent output:\n{Locked(output)}");

            Assert.Equal(0, AgentUnitTests.Run("kill", ["-TERM", agent.Id.ToString(CultureInfo.InvariantCulture)], null, out string killOutput));
            _ = killOutput;
            bool stopping = await notify.WaitForAsync("STOPPING=1", Patience, () => false);
            Assert.True(stopping, $"no STOPPING=1 after SIGTERM (received: {string.Join(" | ", notify.Received)}); agent output:\n{Locked(output)}");
            Assert.True(agent.WaitForExit(Patience), "the agent did not exit after SIGTERM");
            Assert.Equal(0, agent.ExitCode);
        }
        finally
        {
            if (!agent.HasExited)
            {
                agent.Kill();
                agent.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
    }

    private static Process StartAgentAsNobody(string notifySocket, string home, string statePath, int port)
    {
        // setpriv execs in place: the PID is the agent's, as systemd's main PID would be (NotifyAccess=main).
        var start = new ProcessStartInfo("setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var word in new[]
        {
            "--reuid=65534", "--regid=65534", "--clear-groups", "--",
            "dotnet", Path.Combine(AppContext.BaseDirectory, "appliance-agent.dll"),
            "serve", "--listen", $"127.0.0.1:{port}", "--state-dir", statePath,
        })
        {
            start.ArgumentList.Add(word);
        }
        start.Environment["NOTIFY_SOCKET"] = notifySocket;
        start.Environment["HOME"] = home;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // The tunnel's own listeners (when the agent has them) on loopback ports the kernel picks, clear of other tests.
        start.Environment["APPLIANCE_TUNNEL__LISTEN__0"] = "udp 127.0.0.1:0";
        start.Environment["APPLIANCE_TUNNEL__LISTEN__1"] = "tcp 127.0.0.1:0";
        return Process.Start(start)!;
    }

    /// <summary>True when an HTTP or HTTPS request to the API gets any HTTP response at all (401 is an answer).</summary>
    private static async Task<bool> ApiAnswersAsync(int port)
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
        foreach (var scheme in new[] { "https", "http" })
        {
            try
            {
                using var response = await http.GetAsync(new Uri($"{scheme}://127.0.0.1:{port}/health"));
                return true;
            }
            catch (HttpRequestException)
            {
                // The other scheme, or nothing listens.
            }
        }
        return false;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Locked(StringBuilder output)
    {
        lock (output)
            return output.ToString();
    }
}

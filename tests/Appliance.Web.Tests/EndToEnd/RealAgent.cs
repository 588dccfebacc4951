using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Appliance.Contracts;

namespace Appliance.Web.Tests.EndToEnd;

/// <summary>
/// The real <c>appliance-agent serve</c> as a child process: its own state directory, API and tunnel on loopback ports the
/// kernel picks, a preset pairing token, and its uplink on a lab bridge of this test's own (with the lab's PPPoE server
/// only when asked for). Stopped by
/// PID and its bridge, TAP and files removed at dispose, also when the test failed.
/// </summary>
public sealed class RealAgent : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string _directory;

    private RealAgent(Process process, string directory, string bridge, string uplinkTap, string pairingToken)
    {
        _process = process;
        _directory = directory;
        Bridge = bridge;
        UplinkTap = uplinkTap;
        PairingToken = pairingToken;
    }

    public string PairingToken { get; }

    public string Bridge { get; }

    public string UplinkTap { get; }

    /// <summary>The API's URL, from the agent's local access file.</summary>
    public Uri Url { get; private set; } = default!;

    /// <summary>A client through the local access file, for the test's own checks (the panel pairs with the pairing token).</summary>
    public AgentApiClient Api { get; private set; } = default!;

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <param name="labPppoeServer">Whether the agent boots its lab ISP (pppoe-server in a user-mode-linux guest) on the bridge.</param>
    /// <summary>The lab ISP guest's console (the agent's state directory, lab/isp-console.log), for failure messages.</summary>
    public string LabConsole
    {
        get
        {
            string path = Path.Combine(_directory, "state", "lab", "isp-console.log");
            try
            {
                return File.Exists(path) ? File.ReadAllText(path) : "(no lab console yet)";
            }
            catch (IOException e)
            {
                return $"(lab console unreadable: {e.Message})";
            }
        }
    }

    public static async Task<RealAgent> StartAsync(bool labPppoeServer = false)
    {
        string suffix = Guid.NewGuid().ToString("N")[..6];
        string directory = Directory.CreateTempSubdirectory("panel-e2e-agent-").FullName;
        string config = Path.Combine(directory, "agent.json");
        await File.WriteAllTextAsync(config, $$"""
            { "api": { "listen": "127.0.0.1:0" },
              "tunnel": { "listen": ["udp 127.0.0.1:0"], "pingSeconds": 1, "pingRestartSeconds": 10 },
              "profiles": { "serverHost": "127.0.0.1" },
              "lab": { "pppoeServer": {{(labPppoeServer ? "true" : "false")}} } }
            """);
        string token = "e2e-pairing-token-" + Guid.NewGuid().ToString("N");
        string tokenFile = Path.Combine(directory, "pairing.token");
        await File.WriteAllTextAsync(tokenFile, token + "\n");
        string bridge = "pae" + suffix, tap = "paeu" + suffix;
        var start = new ProcessStartInfo(DotnetHost) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[]
        {
            "exec", Path.Combine(AppContext.BaseDirectory, "appliance-agent.dll"), "serve", "--config", config, "--state-dir", Path.Combine(directory, "state"),
            "--pairing-token-file", tokenFile, "--lab-bridge", bridge, "--uplink-tap", tap,
        })
        {
            start.ArgumentList.Add(arg);
        }
        var agent = new RealAgent(Process.Start(start)!, directory, bridge, tap, token);
        agent._process.OutputDataReceived += (_, e) => agent.Append(e.Data);
        agent._process.ErrorDataReceived += (_, e) => agent.Append(e.Data);
        agent._process.BeginOutputReadLine();
        agent._process.BeginErrorReadLine();
        try
        {
            await agent.WaitUntilAnsweringAsync(TimeSpan.FromSeconds(90));
        }
        catch
        {
            await agent.DisposeAsync();
            throw;
        }
        return agent;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Run("kill", "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
                StopOrphanedLabGuest();
            }
        }
        _process.Dispose();
        // The agent removes what it created; these are for a killed one.
        Run("ip", "link", "del", UplinkTap);
        Run("ip", "link", "del", Bridge);
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Polls the health document until the lab's PPPoE server reports <paramref name="state"/>.</summary>
    public async Task WaitForLabAsync(string state, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            var lab = (await Api.GetHealthAsync()).Lab;
            if (lab?.State == state)
                return;
            if (_process.HasExited || DateTime.UtcNow > deadline)
                throw new TimeoutException($"the lab did not reach '{state}' within {patience.TotalSeconds} s (now {lab?.State ?? "absent"}: {lab?.Detail}); agent: {Output}\nlab console:\n{LabConsole}");
            await Task.Delay(250);
        }
    }

    /// <summary>
    /// A killed agent cannot stop its lab ISP: its guest (the leader of its own process group, its PID in UML's pid file
    /// under the lab directory) is killed by that PID and group, and the lab's TAP deleted.
    /// </summary>
    private void StopOrphanedLabGuest()
    {
        string pidFile = Path.Combine(_directory, "state", "lab", "uml", "appl-lab-isp", "pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture, out int pid))
            return;
        string id = pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Run("kill", "-KILL", "--", "-" + id);
        Run("kill", "-KILL", id);
        Run("ip", "link", "del", "appl-isp0");
    }

    private static string DotnetHost =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    private async Task WaitUntilAnsweringAsync(TimeSpan patience)
    {
        string path = Path.Combine(_directory, "state", "local-access.json");
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"the agent exited with {_process.ExitCode} before answering: {Output}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the agent did not answer within {patience.TotalSeconds} s: {Output}");
            if (File.Exists(path))
            {
                try
                {
                    using var document = JsonDocument.Parse(await File.ReadAllBytesAsync(path));
                    var root = document.RootElement;
                    var endpoint = new AgentEndpoint(new Uri(root.GetProperty("url").GetString()!), root.GetProperty("token").GetString()!, root.GetProperty("fingerprint").GetString()!);
                    var api = new AgentApiClient(AgentApiClient.CreateHttpClient(endpoint, TimeSpan.FromSeconds(30)));
                    await api.GetHealthAsync();
                    (Url, Api) = (endpoint.BaseAddress, api);
                    return;
                }
                catch (Exception e) when (e is JsonException or IOException or KeyNotFoundException or AgentApiException)
                {
                    // Being written, or the API is not up yet.
                }
            }
            await Task.Delay(100);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }

    internal static void Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        process.WaitForExit();
    }
}

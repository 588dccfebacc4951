using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Appliance.Agent.Api;
using Appliance.Contracts;

namespace Appliance.Agent.Tests.Support;

/// <summary>What to start the real daemon with.</summary>
public sealed record AgentDaemonOptions
{
    /// <summary>The config file's JSON; by default API and tunnel on loopback with kernel-chosen ports.</summary>
    public string ConfigJson { get; init; } = """
        { "api": { "listen": "127.0.0.1:0" },
          "tunnel": { "listen": ["udp 127.0.0.1:0", "tcp 127.0.0.1:0"], "pingSeconds": 1, "pingRestartSeconds": 10 },
          "profiles": { "serverHost": "127.0.0.1" } }
        """;

    /// <summary>Extra <c>serve</c> flags, e.g. the uplink.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Environment variables for the process (e.g. APPLIANCE_TUNNEL__MAXSESSIONS).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>A token to preset in the pairing token file before start, or null.</summary>
    public string? PresetPairingToken { get; init; }
}

/// <summary>
/// The real <c>appliance-agent serve</c> as a child process with its own state directory and config file, on loopback;
/// <see cref="Api"/> reaches it through the local access file it writes. Stopped (SIGTERM, then SIGKILL) and its files
/// removed at dispose.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AgentDaemon : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TemporaryStateDirectory _temp;
    private readonly bool _ownsTemp;

    private AgentDaemon(Process process, TemporaryStateDirectory temp, bool ownsTemp, string configPath, string pairingTokenPath)
    {
        _process = process;
        _temp = temp;
        _ownsTemp = ownsTemp;
        ConfigPath = configPath;
        PairingTokenPath = pairingTokenPath;
    }

    public string StatePath => _temp.StatePath;
    public string ConfigPath { get; }
    public string PairingTokenPath { get; }
    public int ProcessId => _process.Id;
    public LocalAccessFile Access { get; private set; } = new("", "", "");
    public Uri Url => new(Access.Url);
    public AgentApiClient Api { get; private set; } = null!;
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>The agent's assembly beside the tests (the project reference copies it).</summary>
    public static string AgentAssembly => Path.Combine(AppContext.BaseDirectory, "appliance-agent.dll");

    public static string DotnetHost =>
        System.Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    /// <summary>Starts the daemon and waits until it answers; throws with its output when it does not.</summary>
    /// <param name="reuse">A state directory (and config) of an earlier daemon, to restart on; the caller keeps it.</param>
    public static async Task<AgentDaemon> StartAsync(AgentDaemonOptions? options = null, TemporaryStateDirectory? reuse = null)
    {
        options ??= new AgentDaemonOptions();
        var temp = reuse ?? new TemporaryStateDirectory();
        string config = Path.Combine(temp.Parent, "agent.json");
        if (!File.Exists(config) || reuse is null)
            await File.WriteAllTextAsync(config, options.ConfigJson);
        string pairing = Path.Combine(temp.Parent, "pairing.token");
        if (options.PresetPairingToken is { } preset)
            await File.WriteAllTextAsync(pairing, preset + "\n");
        var process = Start(["serve", "--config", config, "--state-dir", temp.StatePath, "--pairing-token-file", pairing, .. options.Arguments], options.Environment);
        var daemon = new AgentDaemon(process, temp, ownsTemp: reuse is null, config, pairing);
        process.OutputDataReceived += (_, e) => daemon.Append(e.Data);
        process.ErrorDataReceived += (_, e) => daemon.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await daemon.WaitUntilAnsweringAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
        return daemon;
    }

    /// <summary>Runs <c>appliance-agent ARGS</c> to completion: exit code, standard output, standard error.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        using var process = Start(args, environment ?? new Dictionary<string, string>());
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"appliance-agent {string.Join(' ', args)} did not finish; output: {await stdout} {await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The CLI against this daemon (its state directory).</summary>
    public Task<(int ExitCode, string Output, string Error)> RunCliAsync(params string[] args) =>
        RunAsync([.. args, "--state-dir", StatePath]);

    /// <summary>SIGKILL, no clean-up by the daemon.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>SIGTERM without waiting: the daemon may hand its sessions over to the next one meanwhile.</summary>
    public void Terminate()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }
    }

    /// <summary>Waits for the process to end on its own; its exit code, or null when it did not within <paramref name="patience"/>.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan patience)
    {
        using var cts = new CancellationTokenSource(patience);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>SIGTERM and wait for the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan? patience = null)
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync();
            using var cts = new CancellationTokenSource(patience ?? TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                await KillAsync();
            }
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        if (_ownsTemp)
            _temp.Dispose();
    }

    private static Process Start(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(AgentAssembly);
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        return Process.Start(start)!;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }

    private async Task WaitUntilAnsweringAsync(TimeSpan patience)
    {
        string path = Path.Combine(StatePath, LocalAccess.FileName);
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"the agent exited with {_process.ExitCode} before answering: {Output}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the agent did not write {path} within {patience.TotalSeconds} s: {Output}");
            if (File.Exists(path))
            {
                try
                {
                    Access = LocalAccessFile.Read(path);
                    Api = new AgentApiClient(AgentApiClient.CreateHttpClient(Access.ToEndpoint(), TimeSpan.FromSeconds(30)));
                    await Api.GetHealthAsync();
                    return;
                }
                catch (Exception e) when (e is JsonException or IOException or FormatException or AgentApiException)
                {
                    // Being written, or the API is not up yet.
                }
            }
            await Task.Delay(100);
        }
    }
}

using System.Diagnostics;
using System.Text;

namespace Appliance.EndToEnd.Tests.Support;

/// <summary>What a finished command did: its exit code, its interleaved output and how long it took.</summary>
public sealed record ScriptResult(int ExitCode, string Output, TimeSpan Elapsed, bool TimedOut)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut;

    /// <summary>The last non-empty output line (the scripts print their product's path there).</summary>
    public string LastLine =>
        Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } lines
            ? lines[^1]
            : "";

    public string Describe(string what) =>
        $"{what} {(TimedOut ? "timed out" : $"exited with {ExitCode}")} after {Elapsed.TotalSeconds:0} s; its output:\n{Output}";
}

/// <summary>Runs a command from the repository root with an argument list (never a shell string).</summary>
public static class ScriptRun
{
    // Set by `dotnet test` for the test host; a `dotnet publish` started from a script must not inherit them.
    private static readonly string[] InheritedBuildVariables = ["MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildExtensionsPath", "MSBuildLoadMicrosoftTargetsReadOnly"];

    public static async Task<ScriptResult> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var name in InheritedBuildVariables)
            start.Environment.Remove(name);
        if (environment is not null)
        {
            foreach (var (name, value) in environment)
                start.Environment[name] = value;
        }

        var output = new StringBuilder();
        void Append(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
                return;
            lock (output)
                output.Append(e.Data).Append('\n');
        }

        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        bool timedOut = false;
        using (var cancel = new CancellationTokenSource(timeout))
        {
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                // The scripts bound their own waits; this is the backstop, and it takes QEMU down with them.
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
        process.WaitForExit(); // drains the asynchronous output readers
        lock (output)
            return new ScriptResult(timedOut ? -1 : process.ExitCode, output.ToString(), clock.Elapsed, timedOut);
    }
}

/// <summary>The checkout the tests run from: the nearest directory above the test binaries holding Appliance.sln.</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(Find);

    public static string Path => Root.Value;

    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Appliance.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no Appliance.sln in {AppContext.BaseDirectory} or any directory above it; run the tests from a checkout");
    }
}

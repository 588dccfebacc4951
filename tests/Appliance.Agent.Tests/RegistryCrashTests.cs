using System.Diagnostics;
using System.Runtime.Versioning;
using System.Security.Cryptography.X509Certificates;
using Appliance.Agent.Pki;
using Appliance.Agent.State;
using Appliance.Tunnel.Control.Tls;
using Xunit.Abstractions;

namespace Appliance.Agent.Tests;

/// <summary>
/// Kills a writer (<see cref="CrashWriterProgram"/>) with SIGKILL at random moments and checks that every change it
/// reported is on disk, the registry and CRL agree, and the state opens without error.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class RegistryCrashTests(ITestOutputHelper output) : IDisposable
{
    private const int Rounds = 12;
    private readonly TemporaryStateDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Every_reported_change_survives_SIGKILL_at_a_random_moment_and_the_state_opens_cleanly()
    {
        var reportedIssued = new Dictionary<string, string>(); // serial -> name
        var reportedRevoked = new HashSet<string>();             // serials
        var reportedDisabled = new Dictionary<string, bool>();   // serial -> last reported disabled flag
        int killedWithTempFile = 0, crlRepaired = 0, linesTotal = 0;
        var random = new Random(20260301);
        TimeSpan openTime = TimeSpan.FromMilliseconds(300);

        // Kills are random: go on past the planned rounds (up to a bound) until at least one lands inside a write.
        int round = 0;
        for (; round < Rounds || (killedWithTempFile + crlRepaired == 0 && round < 4 * Rounds); round++)
        {
            // Even rounds: killed while changing the registry. Odd rounds: killed at any moment from process start, often
            // while opening the state (parsing, re-signing a CRL left behind).
            bool waitUntilOpened = round % 2 == 0;
            var runFor = waitUntilOpened
                ? TimeSpan.FromMilliseconds(random.Next(20, 150))
                : openTime * (0.6 + random.NextDouble() * 0.6); // around the time the last run took to open the state
            var (lines, timeToOpen) = await RunAndKill(round, runFor, waitUntilOpened);
            if (timeToOpen is { } measured)
                openTime = measured;
            linesTotal += lines.Count;
            foreach (string line in lines)
            {
                string[] parts = line.Split(' ');
                switch (parts[0])
                {
                    case "issued":
                        reportedIssued[parts[2]] = parts[1];
                        break;
                    case "revoked":
                        reportedRevoked.Add(parts[2]);
                        break;
                    case "renewed":
                        reportedRevoked.Add(parts[2]);
                        reportedIssued[parts[3]] = parts[1];
                        if (reportedDisabled.TryGetValue(parts[2], out bool wasDisabled))
                            reportedDisabled[parts[3]] = wasDisabled;
                        break;
                    case "disabled":
                    case "enabled":
                        reportedDisabled[parts[2]] = parts[0] == "disabled";
                        break;
                    case "ready":
                        break;
                    default:
                        Assert.Fail($"round {round}: the writer said '{line}'");
                        break;
                }
            }
            if (Directory.EnumerateFiles(_temp.StatePath, ".tmp-*").Any())
                killedWithTempFile++;

            using var state = ApplianceState.Open(_temp.StatePath, new ServerIdentity(), TimeProvider.System);
            if (state.Clients.RevocationListRepublishedAtOpen)
                crlRepaired++;
            AssertConsistent(state, reportedIssued, reportedRevoked, round, $"r{round}-");
            var records = state.Clients.List().ToDictionary(c => c.SerialNumber);
            foreach (var (serial, disabled) in reportedDisabled)
                Assert.True(records[serial].Disabled == disabled, $"round {round}: {serial} was reported {(disabled ? "disabled" : "enabled")} but is stored otherwise");
        }

        output.WriteLine($"{round} SIGKILLs; {linesTotal} lines; reported {reportedIssued.Count} certificates issued, {reportedRevoked.Count} revoked, {reportedDisabled.Count} disabled or enabled; " +
            $"killed mid-write (temp file left) {killedWithTempFile} times; CRL behind the registry and re-signed at open {crlRepaired} times");
        Assert.True(reportedIssued.Count > round, "the writer should have issued something in most rounds");
        Assert.True(killedWithTempFile + crlRepaired > 0, "no kill landed inside a write; the test proved little this time");
    }

    private static void AssertConsistent(ApplianceState state, Dictionary<string, string> reportedIssued, HashSet<string> reportedRevoked, int round, string roundPrefix)
    {
        var bySerial = state.Clients.List().ToDictionary(c => c.SerialNumber);
        foreach (var (serial, name) in reportedIssued)
        {
            Assert.True(bySerial.TryGetValue(serial, out var record), $"round {round}: reported issued {name} {serial} is missing");
            Assert.Equal(name, record!.Name);
        }
        foreach (string serial in reportedRevoked)
            Assert.True(bySerial[serial].IsRevoked, $"round {round}: reported revoked {serial} is in force");

        var inForce = state.Clients.List().Where(c => !c.IsRevoked).GroupBy(c => c.Name).Where(g => g.Count() > 1).Select(g => g.Key);
        Assert.Empty(inForce);

        Assert.True(CertificateRevocationList.TryLoad(File.ReadAllBytes(state.Directory.PathOf(ClientRegistry.RevocationListFile)), state.Ca.Certificate, out var crl, out string? error), error);
        var validator = new ClientCertificateValidator(state.Ca.Certificate, crl);
        var certificates = CertificatesBySerial(state);
        int revoked = 0;
        foreach (var record in state.Clients.List())
        {
            if (record.IsRevoked)
                revoked++;
            using var certificate = X509Certificate2.CreateFromPem(certificates[record.SerialNumber]);
            Assert.Equal(record.IsRevoked, crl!.IsRevoked(certificate));
            if (record.Name.StartsWith(roundPrefix, StringComparison.Ordinal))
                Assert.Equal(record.IsRevoked ? ClientCertificateRefusal.Revoked : null, validator.Validate(certificate).Refusal);
        }
        Assert.Equal(revoked, crl!.Count);
    }

    /// <summary>Every certificate in the registry file, revoked ones too (the registry's API hands out only those in force).</summary>
    private static Dictionary<string, string> CertificatesBySerial(ApplianceState state)
    {
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(state.Directory.PathOf(ClientRegistry.RegistryFile)));
        var certificates = new Dictionary<string, string>();
        foreach (var client in document.RootElement.GetProperty("clients").EnumerateArray())
            certificates[client.GetProperty("serial").GetString()!] = client.GetProperty("certificate").GetString()!;
        return certificates;
    }

    /// <summary>Starts the writer, lets it run for <paramref name="runFor"/> (counted from when it opened the state, or from its start), SIGKILLs it and returns every line it printed.</summary>
    private async Task<(List<string> Lines, TimeSpan? TimeToOpen)> RunAndKill(int round, TimeSpan runFor, bool waitUntilOpened)
    {
        string assembly = typeof(CrashWriterProgram).Assembly.Location;
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add(CrashWriterProgram.Command);
        start.ArgumentList.Add(_temp.StatePath);
        start.ArgumentList.Add(round.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var started = Stopwatch.StartNew();
        TimeSpan? timeToOpen = null;
        using var process = Process.Start(start)!;
        var lines = new List<string>();
        var ready = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (lines)
                lines.Add(e.Data);
            if (e.Data == "ready")
            {
                timeToOpen = started.Elapsed;
                ready.TrySetResult();
            }
        };
        process.BeginOutputReadLine();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (waitUntilOpened)
            {
                var first = await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(30)));
                Assert.True(first == ready.Task, $"round {round}: the writer did not open the state: {await WithTimeout(stderr)}");
            }
            await Task.Delay(runFor);
        }
        finally
        {
            process.Kill(); // SIGKILL on Linux
            await process.WaitForExitAsync();
        }
        process.WaitForExit(); // drains the redirected output
        output.WriteLine($"round {round}: killed {runFor.TotalMilliseconds:0} ms after {(waitUntilOpened ? "it opened the state" : "its start")}, {lines.Count} lines, exit {process.ExitCode}");
        string errors = await WithTimeout(stderr);
        Assert.True(errors.Length == 0, $"round {round}: the writer wrote to stderr: {errors}");
        return (lines, timeToOpen);
    }

    private static async Task<string> WithTimeout(Task<string> text) =>
        await Task.WhenAny(text, Task.Delay(TimeSpan.FromSeconds(5))) == text ? await text : "(no stderr)";

    private static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
}

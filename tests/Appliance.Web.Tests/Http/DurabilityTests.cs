using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Appliance.Web.Tests.Http;

/// <summary>The database survives the panel being killed (SIGKILL) in the middle of writing.</summary>
public sealed class DurabilityTests : IDisposable
{
    private readonly TemporaryDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Killed_writer_leaves_an_intact_database_with_every_committed_row()
    {
        var committed = new List<long>();
        for (int round = 0; round < 3; round++)
            committed.AddRange(await WriteUntilKilledAsync(minimumCommits: 150 + 100 * round));

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_data.FullPath, "panel.db")};Pooling=False");
        await connection.OpenAsync();
        Assert.Equal("ok", await connection.ExecuteScalarAsync<string>("PRAGMA integrity_check"));
        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
        var present = (await connection.QueryAsync<string>("SELECT target FROM audit_log WHERE action = 'crash.test'")).ToHashSet(StringComparer.Ordinal);
        var missing = committed.Select(n => n.ToString(CultureInfo.InvariantCulture)).Where(n => !present.Contains(n)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {committed.Count} committed rows are missing, e.g. {string.Join(", ", missing.Take(5))}");
    }

    /// <summary>Runs the writer child, kills it with SIGKILL once it reported at least that many commits; returns the row numbers it reported.</summary>
    private async Task<List<long>> WriteUntilKilledAsync(int minimumCommits)
    {
        string assembly = typeof(CrashWriterProgram).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add(CrashWriterProgram.Command);
        start.ArgumentList.Add(_data.FullPath);
        using var child = Process.Start(start)!;
        var committed = new List<long>();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        try
        {
            while (committed.Count < minimumCommits)
            {
                Assert.True(DateTime.UtcNow < deadline, $"the writer committed only {committed.Count} rows in 2 minutes");
                string? line = await child.StandardOutput.ReadLineAsync();
                if (line is null)
                    Assert.Fail($"the writer ended early: {await child.StandardError.ReadToEndAsync()}");
                if (line!.StartsWith("committed ", StringComparison.Ordinal))
                    committed.Add(long.Parse(line["committed ".Length..], CultureInfo.InvariantCulture));
            }
        }
        finally
        {
            // Process.Kill sends SIGKILL on Linux: no finalizers, no flush, no WAL checkpoint.
            child.Kill();
            await child.WaitForExitAsync();
        }
        Assert.Equal(137, child.ExitCode);
        // Lines still buffered in the pipe were committed too, but need not be checked: we check what we saw.
        return committed;
    }
}

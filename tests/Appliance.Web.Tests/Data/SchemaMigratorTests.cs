using Appliance.Web.Data;
using Appliance.Web.Tests.Http;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Appliance.Web.Tests.Data;

public sealed class SchemaMigratorTests : IDisposable
{
    private readonly TemporaryDirectory _data = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _data.Dispose();
    }

    private PanelDatabase Database() => new(Path.Combine(_data.FullPath, "panel.db"));

    [Fact]
    public void Migrations_are_numbered_from_one_without_gaps()
    {
        Assert.Equal(Enumerable.Range(1, SchemaMigrator.Migrations.Count), SchemaMigrator.Migrations.Select(m => m.Version));
        Assert.StartsWith("001_", SchemaMigrator.Migrations[0].Name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_database_gets_every_migration_once_in_wal_mode()
    {
        await using var connection = await Database().OpenAsync();
        Assert.Equal(SchemaMigrator.CurrentVersion, await SchemaMigrator.MigrateAsync(connection));
        Assert.Equal(SchemaMigrator.CurrentVersion, await SchemaMigrator.MigrateAsync(connection));
        Assert.Equal(SchemaMigrator.Migrations.Count, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM schema_version"));
        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("PRAGMA foreign_keys"));
    }

    [Fact]
    public async Task A_database_from_a_newer_panel_is_refused_naming_both_versions()
    {
        await using var connection = await Database().OpenAsync();
        await SchemaMigrator.MigrateAsync(connection);
        int newer = SchemaMigrator.CurrentVersion + 1;
        await connection.ExecuteAsync("INSERT INTO schema_version (version, applied_at) VALUES (@newer, 0)", new { newer });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SchemaMigrator.MigrateAsync(connection));
        Assert.Contains($"schema version {newer}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"({SchemaMigrator.CurrentVersion})", error.Message, StringComparison.Ordinal);
    }
}

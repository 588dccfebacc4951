using System.Security.Cryptography;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Appliance.Web.Data;

/// <summary>The outcome of a restore: done (at which schema version) or why not, in words an operator can act on.</summary>
public sealed record RestoreOutcome(bool Succeeded, string? Problem, int SchemaVersion = 0);

/// <summary>Backs the live database up to a file with SQLite's online backup, and restores an uploaded backup after checking it.</summary>
/// <remarks>
/// A restore never half-applies: the upload is written to a temporary file, checked (SQLite file, integrity, a known schema
/// version, at least one admin), migrated to this panel's version, and only then copied over the live database by the
/// backup API, which replaces the whole content in one write transaction.
/// </remarks>
public sealed class DatabaseBackup(PanelDatabase database, PanelDataDirectory directory)
{
    public const long MaxUploadBytes = 256L * 1024 * 1024;

    /// <summary>A consistent copy of the live database in a temporary file; the stream deletes the file when closed.</summary>
    public async Task<Stream> CreateBackupAsync()
    {
        string path = TemporaryPath("backup");
        try
        {
            await using (var live = await database.OpenAsync())
            await using (var copy = OpenFile(path, SqliteOpenMode.ReadWriteCreate))
            {
                copy.Open();
                live.BackupDatabase(copy);
                // One self-contained file: the copy carries no -wal beside it.
                await copy.ExecuteAsync("PRAGMA journal_mode=DELETE");
            }
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        }
        catch
        {
            DeleteWithSidecars(path);
            throw;
        }
    }

    public async Task<RestoreOutcome> RestoreAsync(Stream upload, CancellationToken cancellationToken = default)
    {
        string path = TemporaryPath("restore");
        try
        {
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                await upload.CopyToAsync(file, cancellationToken);
                if (file.Length > MaxUploadBytes)
                    return Refuse($"the file is larger than {MaxUploadBytes / (1024 * 1024)} MiB");
            }
            var check = await CheckAsync(path);
            if (check is not null)
                return Refuse(check);

            int version;
            await using (var candidate = OpenFile(path, SqliteOpenMode.ReadWrite))
            await using (var live = await database.OpenAsync(cancellationToken))
            {
                candidate.Open();
                version = await SchemaMigrator.MigrateAsync(candidate, cancellationToken);
                candidate.BackupDatabase(live);
            }
            PanelDatabase.ClearPools();
            return new RestoreOutcome(true, null, version);
        }
        finally
        {
            DeleteWithSidecars(path);
        }
    }

    /// <summary>Null when the file is a panel database this panel can take; else what is wrong with it.</summary>
    internal static async Task<string?> CheckAsync(string path)
    {
        try
        {
            await using var connection = OpenFile(path, SqliteOpenMode.ReadOnly);
            connection.Open();
            string integrity = await connection.ExecuteScalarAsync<string>("PRAGMA integrity_check") ?? "";
            if (integrity != "ok")
                return $"the database is damaged (integrity check: {Shorten(integrity)})";
            bool hasVersion = await connection.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'") == 1;
            if (!hasVersion)
                return "it is an SQLite database but not a panel backup (no schema_version table)";
            int version = await SchemaMigrator.ReadVersionAsync(connection);
            if (version < 1 || version > SchemaMigrator.CurrentVersion)
                return $"its schema version {version} is not one this panel knows (1 to {SchemaMigrator.CurrentVersion}); restore it on a panel of the version that made it";
            string? foreign = await ForeignSchemaObjectAsync(connection, version);
            if (foreign is not null)
                return foreign;
            long admins = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM users WHERE role = 'admin'");
            if (admins == 0)
                return "it has no admin user, so nobody could sign in after the restore";
            return null;
        }
        catch (SqliteException e)
        {
            return $"it is not a panel database ({e.Message.TrimEnd('.')})";
        }
    }

    // SQLite's own bookkeeping objects, which a database may or may not have depending on what was written to it.
    private const string SchemaObjects =
        "SELECT type AS Type, name AS Name, sql AS Sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name";

    /// <summary>
    /// Null when every table, index, view and trigger of the file is exactly what the migrations up to <paramref name="version"/>
    /// create; else the first object that is not. A trigger or view in a restored file would run inside the panel with the
    /// panel's rights on every later write, so nothing beyond the known schema is taken.
    /// </summary>
    private static async Task<string?> ForeignSchemaObjectAsync(SqliteConnection candidate, int version)
    {
        await using var reference = new SqliteConnection("Data Source=:memory:");
        reference.Open();
        await SchemaMigrator.MigrateAsync(reference, version);
        var expected = (await reference.QueryAsync<SchemaObject>(SchemaObjects)).ToDictionary(o => (o.Type, o.Name));
        foreach (var found in await candidate.QueryAsync<SchemaObject>(SchemaObjects))
        {
            if (!expected.Remove((found.Type, found.Name), out var known))
                return $"it holds a {found.Type} '{Shorten(found.Name)}' that is not part of the panel's schema version {version}";
            if (!string.Equals(known.Sql, found.Sql, StringComparison.Ordinal))
                return $"its {found.Type} '{Shorten(found.Name)}' is defined differently from the panel's schema version {version}";
        }
        if (expected.Count > 0)
        {
            var missing = expected.Values.First();
            return $"it lacks the {missing.Type} '{missing.Name}' of the panel's schema version {version}";
        }
        return null;
    }

    private sealed record SchemaObject(string Type, string Name, string? Sql);

    private static RestoreOutcome Refuse(string problem) => new(false, "The file was not restored: " + problem + ". The panel's data is unchanged.");

    private static SqliteConnection OpenFile(string path, SqliteOpenMode mode) =>
        new(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());

    private string TemporaryPath(string purpose) =>
        Path.Combine(directory.FullPath, $".{purpose}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.db");

    private static string Shorten(string text) => text.Length > 200 ? text[..200] + "…" : text;

    private static void DeleteWithSidecars(string path)
    {
        foreach (string file in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // A leftover temporary file is never read; it only takes space until deleted by hand.
            }
        }
    }
}

using System.Globalization;
using System.Reflection;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Appliance.Web.Data;

/// <summary>Applies the embedded numbered migrations (<c>Data/Migrations/NNN_name.sql</c>) not yet recorded in <c>schema_version</c>.</summary>
/// <remarks>Each migration runs in its own transaction together with its <c>schema_version</c> row: all of it or none.</remarks>
public static class SchemaMigrator
{
    private const string ResourcePrefix = "Appliance.Web.Data.Migrations.";

    /// <summary>The migrations shipped with this build, ordered by number.</summary>
    public static IReadOnlyList<Migration> Migrations { get; } = LoadMigrations();

    /// <summary>The schema version this build writes; a database with a higher one comes from a newer panel.</summary>
    public static int CurrentVersion => Migrations[^1].Version;

    public static Task<int> MigrateAsync(SqliteConnection connection, CancellationToken cancellationToken = default) =>
        MigrateAsync(connection, CurrentVersion, cancellationToken);

    /// <summary>Applies the migrations up to and including <paramref name="targetVersion"/> (a reference schema of an older version).</summary>
    public static async Task<int> MigrateAsync(SqliteConnection connection, int targetVersion, CancellationToken cancellationToken = default)
    {
        await connection.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
        int current = await ReadVersionAsync(connection);
        if (current > CurrentVersion)
            throw new InvalidOperationException(
                $"the panel database has schema version {current}, newer than this panel knows ({CurrentVersion}); run a newer panel or restore an older backup");
        foreach (var migration in Migrations)
        {
            if (migration.Version <= current)
                continue;
            if (migration.Version > targetVersion)
                break;
            cancellationToken.ThrowIfCancellationRequested();
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(migration.Sql, transaction: transaction);
            await connection.ExecuteAsync(
                "INSERT INTO schema_version (version, applied_at) VALUES (@Version, @At)",
                new { migration.Version, At = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() },
                transaction);
            await transaction.CommitAsync(cancellationToken);
            current = migration.Version;
        }
        return current;
    }

    /// <summary>The highest applied version; 0 for an empty database.</summary>
    public static async Task<int> ReadVersionAsync(SqliteConnection connection) =>
        await connection.ExecuteScalarAsync<int?>("SELECT MAX(version) FROM schema_version") ?? 0;

    private static List<Migration> LoadMigrations()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var migrations = new List<Migration>();
        foreach (string name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal) || !name.EndsWith(".sql", StringComparison.Ordinal))
                continue;
            string fileName = name[ResourcePrefix.Length..];
            // The SDK prefixes a resource name segment starting with a digit with '_' (001_x.sql becomes _001_x.sql).
            string digits = fileName.TrimStart('_');
            int underscore = digits.IndexOf('_', StringComparison.Ordinal);
            if (underscore <= 0 || !int.TryParse(digits[..underscore], NumberStyles.None, CultureInfo.InvariantCulture, out int version))
                throw new InvalidOperationException($"migration resource '{name}' is not named NNN_description.sql");
            migrations.Add(new Migration(version, fileName, ReadResource(assembly, name)));
        }
        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (int i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
                throw new InvalidOperationException($"migrations must be numbered 1, 2, 3… without gaps; found {migrations[i].Name} at position {i + 1}");
        }
        if (migrations.Count == 0)
            throw new InvalidOperationException("no embedded migrations found under Data/Migrations");
        return migrations;
    }

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

/// <summary>One numbered migration script.</summary>
public sealed record Migration(int Version, string Name, string Sql);

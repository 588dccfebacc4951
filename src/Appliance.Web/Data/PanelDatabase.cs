using Microsoft.Data.Sqlite;

namespace Appliance.Web.Data;

/// <summary>Opens connections to the panel's SQLite database (WAL, full sync, foreign keys on).</summary>
/// <remarks>
/// WAL with <c>synchronous=FULL</c>: a transaction that returned is on disk, so a SIGKILL or power loss keeps every committed
/// row; readers never block the writer. Stores open one connection per operation (pooled by Microsoft.Data.Sqlite).
/// </remarks>
public sealed class PanelDatabase(string databasePath)
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = databasePath,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    public string DatabasePath { get; } = databasePath;

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragmas = connection.CreateCommand();
        // journal_mode is persistent in the file; synchronous, foreign_keys and busy_timeout are per connection.
        pragmas.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;";
        await pragmas.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    public SqliteConnection Open() => OpenAsync().GetAwaiter().GetResult();

    /// <summary>Closes pooled connections so the file can be replaced or removed.</summary>
    public static void ClearPools() => SqliteConnection.ClearAllPools();
}

using Appliance.Web.Data;

namespace Appliance.Web.Tests.AgentsSupport;

/// <summary>A migrated panel database in a fresh temporary directory, removed at dispose.</summary>
public sealed class TestDatabase : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("panel-agents-test-").FullName;

    public TestDatabase()
    {
        Database = new PanelDatabase(Path.Combine(_directory, "panel.db"));
        using var connection = Database.Open();
        SchemaMigrator.MigrateAsync(connection).GetAwaiter().GetResult();
    }

    public PanelDatabase Database { get; }

    public void Dispose()
    {
        PanelDatabase.ClearPools();
        Directory.Delete(_directory, recursive: true);
    }
}

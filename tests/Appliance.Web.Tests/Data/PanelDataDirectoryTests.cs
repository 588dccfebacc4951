using Appliance.Web.Data;
using Appliance.Web.Tests.Http;

namespace Appliance.Web.Tests.Data;

public sealed class PanelDataDirectoryTests : IDisposable
{
    private readonly TemporaryDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Configuration_wins_over_the_environment_and_the_checkout()
    {
        Assert.Equal("/srv/a", PanelDataDirectory.ResolvePath("/srv/a", "/srv/b", _root.FullPath));
        Assert.Equal("/srv/b", PanelDataDirectory.ResolvePath(null, "/srv/b", _root.FullPath));
    }

    [Fact]
    public void From_a_source_checkout_it_is_dot_lab_panel_of_the_checkout()
    {
        File.WriteAllText(Path.Combine(_root.FullPath, "Appliance.sln"), "");
        string bin = Directory.CreateDirectory(Path.Combine(_root.FullPath, "src", "Appliance.Web", "bin", "Debug", "net10.0")).FullName;
        Assert.Equal(Path.Combine(_root.FullPath, ".lab", "panel"), PanelDataDirectory.ResolvePath(null, "", bin));
    }

    [Fact]
    public void Installed_it_is_var_lib_appliance_panel()
    {
        string bin = Directory.CreateDirectory(Path.Combine(_root.FullPath, "opt", "panel")).FullName;
        Assert.Equal(PanelDataDirectory.InstalledPath, PanelDataDirectory.ResolvePath(null, null, bin));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void The_directory_is_created_private()
    {
        string path = Path.Combine(_root.FullPath, "data");
        PanelDataDirectory.Create(path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(path) & (UnixFileMode)0x1FF);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task The_database_and_its_wal_are_readable_by_the_owner_only()
    {
        var directory = PanelDataDirectory.Create(Path.Combine(_root.FullPath, "data"));
        directory.CreateDatabaseFileIfMissing();
        await using (var connection = await new PanelDatabase(directory.DatabasePath).OpenAsync())
        {
            await SchemaMigrator.MigrateAsync(connection);
            const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(directory.DatabasePath));
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(directory.DatabasePath + "-wal"));
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}

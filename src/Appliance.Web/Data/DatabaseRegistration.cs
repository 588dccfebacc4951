using Appliance.Web.Audit;
using Appliance.Web.Settings;
using Appliance.Web.Users;
using Microsoft.AspNetCore.DataProtection;

namespace Appliance.Web.Data;

public static class DatabaseRegistration
{
    /// <summary>
    /// Resolves the data directory, migrates the database (before the app serves anything), persists data-protection keys
    /// beside it, and registers the stores.
    /// </summary>
    public static WebApplicationBuilder AddPanelDatabase(this WebApplicationBuilder builder)
    {
        string path = PanelDataDirectory.ResolvePath(
            builder.Configuration[PanelDataDirectory.ConfigurationKey],
            Environment.GetEnvironmentVariable(PanelDataDirectory.EnvironmentVariable),
            AppContext.BaseDirectory);
        var directory = PanelDataDirectory.Create(path);
        directory.CreateDatabaseFileIfMissing();
        var database = new PanelDatabase(directory.DatabasePath);
        using (var connection = database.Open())
            SchemaMigrator.MigrateAsync(connection).GetAwaiter().GetResult();

        builder.Services.AddSingleton(directory);
        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<UserStore>();
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddSingleton<SettingsStore>();
        builder.Services.AddSingleton<DatabaseBackup>();
        // Keys beside the database: a restart keeps everyone signed in and antiforgery tokens valid.
        builder.Services.AddDataProtection()
            .SetApplicationName("appliance-panel")
            .PersistKeysToFileSystem(new DirectoryInfo(directory.KeysPath));
        return builder;
    }
}

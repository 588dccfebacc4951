using System.Net;
using Appliance.Web.Audit;
using Appliance.Web.Settings;
using Appliance.Web.Users;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Web.Tests.Http;

public sealed class BackupRestoreTests : IDisposable
{
    private readonly PanelFactory _old = new();
    private readonly PanelFactory _fresh = new();

    public void Dispose()
    {
        _old.Dispose();
        _fresh.Dispose();
    }

    private static async Task<byte[]> DownloadBackupAsync(PanelClient admin)
    {
        var response = await admin.GetAsync("/admin/database/backup");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.sqlite3", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static async Task<HttpResponseMessage> UploadAsync(PanelClient client, string path, string tokenPage, byte[] file, bool confirmed = true)
    {
        string token = await client.ReadTokenAsync(tokenPage);
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent(file), "file", "panel-backup.db" },
        };
        if (confirmed)
            form.Add(new StringContent("replace-all-data"), "confirm");
        return await client.Http.PostAsync(path, form);
    }

    // The backup with extra SQL run on it, as someone handing over a doctored file would.
    private async Task<byte[]> DoctoredBackupAsync(PanelClient admin, string sql)
    {
        string path = Path.Combine(_old.DataDirectory, "doctored.db");
        await File.WriteAllBytesAsync(path, await DownloadBackupAsync(admin));
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync();
        }
        return await File.ReadAllBytesAsync(path);
    }

    [Theory]
    [InlineData("trigger", "CREATE TRIGGER promote AFTER INSERT ON audit_log BEGIN UPDATE users SET role = 'admin'; END;", "trigger 'promote'")]
    [InlineData("view", "CREATE VIEW everyone AS SELECT user_name, password_hash FROM users;", "view 'everyone'")]
    [InlineData("table", "CREATE TABLE stash (data BLOB);", "table 'stash'")]
    [InlineData("changed table", "DROP TABLE settings; CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL DEFAULT 'x');", "table 'settings' is defined differently")]
    public async Task A_backup_with_schema_objects_the_panel_does_not_make_is_refused(string kind, string sql, string named)
    {
        using var admin = await _old.SetUpAsync();
        byte[] doctored = await DoctoredBackupAsync(admin, sql);

        using var visitor = _fresh.NewClient();
        var response = await UploadAsync(visitor, "/setup/restore", "/setup", doctored);

        PanelFixtures.AssertRedirect(response, "/setup?restore=refused");
        Assert.Contains(named, Uri.UnescapeDataString(response.Headers.Location!.OriginalString), StringComparison.Ordinal);
        Assert.False(await _fresh.Services.GetRequiredService<UserStore>().AnyAdminAsync(), kind + " restored anyway");
    }

    [Fact]
    public async Task Restore_over_a_running_panel_without_the_confirmation_changes_nothing()
    {
        using var admin = await _old.SetUpAsync();
        var settings = _old.Services.GetRequiredService<SettingsStore>();
        await settings.SetAsync(PanelSettings.PanelNameKey, "before");
        byte[] backup = await DownloadBackupAsync(admin);
        await settings.SetAsync(PanelSettings.PanelNameKey, "after");

        var response = await UploadAsync(admin, "/admin/database/restore", "/settings", backup, confirmed: false);

        PanelFixtures.AssertRedirect(response, "/settings?restore=unconfirmed");
        Assert.Equal("after", await settings.GetAsync(PanelSettings.PanelNameKey));
        Assert.Contains("tick the box", await admin.HtmlAsync(response.Headers.Location!.OriginalString), StringComparison.Ordinal);
        Assert.Contains("data-testid=\"restore-confirm\"", await admin.HtmlAsync("/settings"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backup_restored_on_a_fresh_panel_brings_back_users_settings_and_audit()
    {
        using var oldAdmin = await _old.SetUpAsync();
        await _old.Services.GetRequiredService<SettingsStore>().SetAsync(PanelSettings.PanelNameKey, "Site Taipei");
        await _old.AddUserAsync("watcher", "viewer password 1", PanelRoles.Viewer);
        byte[] backup = await DownloadBackupAsync(oldAdmin);
        Assert.Equal("SQLite format 3\0"u8.ToArray(), backup[..16]);

        using var visitor = _fresh.NewClient();
        var restored = await UploadAsync(visitor, "/setup/restore", "/setup", backup);
        PanelFixtures.AssertRedirect(restored, "/login?restored=1");

        PanelFixtures.AssertRedirect(await visitor.GetAsync("/setup"), "/login");
        using var admin = await _fresh.SignedInClientAsync();
        Assert.Equal("Site Taipei", await _fresh.Services.GetRequiredService<SettingsStore>().GetAsync(PanelSettings.PanelNameKey));
        Assert.NotNull(await _fresh.Services.GetRequiredService<UserStore>().FindByNameAsync("watcher"));
        var audit = await _fresh.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery(Action: AuditActions.DatabaseRestored));
        Assert.Single(audit);
    }

    [Fact]
    public async Task A_file_that_is_not_a_panel_database_is_refused_and_changes_nothing()
    {
        using var visitor = _fresh.NewClient();
        var response = await UploadAsync(visitor, "/setup/restore", "/setup", "this is not a database at all, just some text"u8.ToArray());
        PanelFixtures.AssertRedirect(response, "/setup?restore=refused");
        string page = await visitor.HtmlAsync(response.Headers.Location!.OriginalString);
        Assert.Contains("The file was not restored", page, StringComparison.Ordinal);
        Assert.False(await _fresh.Services.GetRequiredService<UserStore>().AnyAdminAsync());
    }

    [Fact]
    public async Task An_sqlite_file_of_another_program_is_refused_naming_why()
    {
        string other = Path.Combine(_fresh.DataDirectory, "other.db");
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={other};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('hello');";
            await create.ExecuteNonQueryAsync();
        }
        using var visitor = _fresh.NewClient();
        var response = await UploadAsync(visitor, "/setup/restore", "/setup", await File.ReadAllBytesAsync(other));
        PanelFixtures.AssertRedirect(response, "/setup?restore=refused");
        Assert.Contains("schema_version", Uri.UnescapeDataString(response.Headers.Location!.OriginalString), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_restores_over_a_running_panel_and_the_old_state_comes_back()
    {
        using var admin = await _old.SetUpAsync();
        var settings = _old.Services.GetRequiredService<SettingsStore>();
        await settings.SetAsync(PanelSettings.PanelNameKey, "before");
        byte[] backup = await DownloadBackupAsync(admin);
        await settings.SetAsync(PanelSettings.PanelNameKey, "after");

        var response = await UploadAsync(admin, "/admin/database/restore", "/settings", backup);
        PanelFixtures.AssertRedirect(response, "/settings?restore=done");
        Assert.Equal("before", await settings.GetAsync(PanelSettings.PanelNameKey));
    }

    [Fact]
    public async Task Restore_on_setup_is_gone_once_an_admin_exists()
    {
        using var admin = await _old.SetUpAsync();
        byte[] backup = await DownloadBackupAsync(admin);
        using var visitor = _old.NewClient();
        var response = await UploadAsync(visitor, "/setup/restore", "/login", backup);
        Assert.True(PanelFixtures.IsRefusal(response), $"answered {(int)response.StatusCode}");
    }
}

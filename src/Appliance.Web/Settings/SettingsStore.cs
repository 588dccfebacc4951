using Appliance.Web.Data;
using Dapper;

namespace Appliance.Web.Settings;

/// <summary>Key/value settings of the panel. Known keys and their defaults are in <see cref="PanelSettings"/>.</summary>
public sealed class SettingsStore(PanelDatabase database)
{
    public async Task<string?> GetAsync(string key)
    {
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteScalarAsync<string?>("SELECT value FROM settings WHERE key = @key", new { key });
    }

    public async Task<IReadOnlyDictionary<string, string>> ReadAllAsync()
    {
        await using var connection = await database.OpenAsync();
        var rows = await connection.QueryAsync<(string Key, string Value)>("SELECT key, value FROM settings");
        return rows.ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);
    }

    public async Task SetAsync(string key, string value)
    {
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync(
            "INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT(key) DO UPDATE SET value = excluded.value", new { key, value });
    }

    /// <summary>The panel's typed settings, defaults filled in.</summary>
    public async Task<PanelSettings> ReadPanelSettingsAsync() => PanelSettings.From(await ReadAllAsync());
}

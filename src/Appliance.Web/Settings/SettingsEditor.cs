using Appliance.Web.Audit;
using Appliance.Web.Auth;

namespace Appliance.Web.Settings;

/// <summary>Saves the Settings page: admins only; each changed key is audited with its old and new value.</summary>
public sealed class SettingsEditor(SettingsStore store, AuditLog audit, CurrentActor current)
{
    public Task<PanelSettings> ReadAsync() => store.ReadPanelSettingsAsync();

    /// <summary>False when the caller is not an admin (nothing saved).</summary>
    public async Task<bool> SaveAsync(PanelSettings settings)
    {
        if (!await current.IsAdminAsync())
            return false;
        var before = await store.ReadAllAsync();
        var actor = await current.ActorAsync();
        foreach (var (key, value) in settings.ToValues())
        {
            before.TryGetValue(key, out string? old);
            if (old == value)
                continue;
            await store.SetAsync(key, value);
            await audit.RecordAsync(actor, AuditActions.SettingChanged, key, $"{old ?? "(default)"} → {value}");
        }
        return true;
    }
}

using System.Globalization;
using System.Security.Claims;
using Appliance.Web.Audit;
using Appliance.Web.Auth;
using Appliance.Web.Data;
using Appliance.Web.Settings;
using Appliance.Web.Users;
using Appliance.Web.Tests.Http;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Radzen;

namespace Appliance.Web.Tests.Components;

/// <summary>
/// A bUnit context with what the panel's components need: localization (English), Radzen, the stores over a migrated
/// temporary database, and a signed-in user of the given role. Renders as an interactive server circuit would.
/// </summary>
public sealed class PanelComponentContext : BunitContext
{
    private readonly TemporaryDirectory _data = new();

    /// <param name="services">More services a test needs (added before the provider is built).</param>
    public PanelComponentContext(string role = PanelRoles.Admin, string userName = "admin", long userId = 1, Action<IServiceCollection>? services = null)
    {
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo("en");
        JSInterop.Mode = JSRuntimeMode.Loose;
        var database = new PanelDatabase(Path.Combine(_data.FullPath, "panel.db"));
        using (var connection = database.Open())
            SchemaMigrator.MigrateAsync(connection).GetAwaiter().GetResult();

        Services.AddLocalization();
        Services.AddRadzenComponents();
        Services.AddHttpContextAccessor();
        Services.AddSingleton(database);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<UserStore>();
        Services.AddSingleton<AuditLog>();
        Services.AddSingleton<SettingsStore>();
        Services.AddSingleton<IPasswordHasher<PanelUser>, PasswordHasher<PanelUser>>();
        Services.AddSingleton<TotpCodes>();
        Services.AddSingleton<CredentialChecker>();
        Services.AddSingleton<TwoFactorSetup>();
        Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        Services.AddOptions<Appliance.Web.Auth.LockoutOptions>();
        Services.AddScoped<CurrentActor>();
        Services.AddScoped<UserAdministration>();
        Services.AddScoped<SettingsEditor>();

        var auth = AddAuthorization();
        auth.SetAuthorized(userName);
        auth.SetRoles(role);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, userId.ToString(CultureInfo.InvariantCulture)));
        services?.Invoke(Services);
        // Last: it builds the service provider.
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            _data.Dispose();
        }
    }
}

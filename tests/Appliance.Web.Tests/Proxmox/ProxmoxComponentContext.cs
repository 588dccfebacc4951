using System.Globalization;
using System.Security.Claims;
using Appliance.Web.Audit;
using Appliance.Web.Auth;
using Appliance.Web.Data;
using Appliance.Web.Proxmox;
using Appliance.Web.Tests.Http;
using Appliance.Web.Users;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Radzen;

namespace Appliance.Web.Tests.Proxmox;

/// <summary>
/// A bUnit context for the Proxmox parts and pages: English, Radzen, a migrated temporary database, the stored-site services
/// and a signed-in user of the given role; renders as an interactive server circuit would.
/// </summary>
public sealed class ProxmoxComponentContext : BunitContext
{
    private readonly TemporaryDirectory _data = new();

    public ProxmoxComponentContext(string role = PanelRoles.Admin, string userName = "admin")
    {
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo("en");
        JSInterop.Mode = JSRuntimeMode.Loose;
        var database = new PanelDatabase(Path.Combine(_data.FullPath, "panel.db"));
        using (var connection = database.Open())
            SchemaMigrator.MigrateAsync(connection).GetAwaiter().GetResult();

        Services.AddLocalization();
        Services.AddLogging();
        Services.AddRadzenComponents();
        Services.AddHttpContextAccessor();
        Services.AddSingleton(database);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        Services.AddSingleton<AuditLog>();
        Services.AddScoped<CurrentActor>();
        Services.AddSingleton<ProxmoxSiteStore>();
        Services.AddSingleton<ProxmoxClients>();
        Services.AddSingleton<ProxmoxConnector>();

        var auth = AddAuthorization();
        auth.SetAuthorized(userName);
        auth.SetRoles(role);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, "1"));
        // Last: it builds the service provider.
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

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

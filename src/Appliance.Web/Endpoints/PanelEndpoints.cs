using Appliance.Web.Auth;
using Appliance.Web.Components;
using Appliance.Web.Security;

namespace Appliance.Web.Endpoints;

public static class PanelEndpoints
{
    /// <summary>The middleware order and every endpoint of the panel.</summary>
    public static WebApplication MapPanelEndpoints(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        app.UsePanelSecurityHeaders();
        app.UseStatusCodePagesWithReExecute("/status/{0}", createScopeForStatusCodePages: true);
        app.UseRequestLocalization();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseSetupGate();
        app.UseAntiforgery();

        // Stylesheets, scripts and fonts: the sign-in page needs them before anyone is signed in; they hold no data.
        app.MapStaticAssets().AllowAnonymous();
        app.MapAccountEndpoints();
        app.MapPreferenceEndpoints();
        app.MapDatabaseEndpoints();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}

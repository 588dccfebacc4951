using Radzen;

namespace Appliance.Web.Components;

public static class UiRegistration
{
    /// <summary>Blazor (interactive server) and Radzen.Blazor: themes, data grid and charts for the panel's pages.</summary>
    public static WebApplicationBuilder AddPanelUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddRadzenComponents();
        builder.Services.AddScoped<Appliance.Web.Users.UserAdministration>();
        builder.Services.AddScoped<Appliance.Web.Settings.SettingsEditor>();
        builder.Services.AddSingleton<Appliance.Web.Auth.TwoFactorSetup>();
        return builder;
    }
}

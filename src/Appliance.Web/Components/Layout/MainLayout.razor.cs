using Appliance.Web.Settings;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.Layout;

public partial class MainLayout
{
    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private SettingsStore Settings { get; set; } = default!;

    private string PanelName { get; set; } = PanelSettings.DefaultPanelName;

    // With <base href="/">, a bare "#main" would mean "/#main" (the home page); the link must name this page.
    private string SkipLink => Navigation.Uri.Split('#')[0] + "#main";

    protected override async Task OnInitializedAsync() => PanelName = (await Settings.ReadPanelSettingsAsync()).PanelName;
}

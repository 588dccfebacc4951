using Appliance.Web.Users;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Appliance.Web.Components.Layout;

public partial class NavMenu
{
    private IReadOnlyList<NavEntry> VisibleEntries { get; set; } = [];

    [CascadingParameter]
    private Task<AuthenticationState>? Authentication { get; set; }

    /// <summary>The menu entries; tests give their own list.</summary>
    [Parameter]
    public IReadOnlyList<NavEntry> Entries { get; set; } = NavEntries.All;

    /// <summary>Whether a route exists in this build; tests replace it.</summary>
    [Parameter]
    public Func<string, bool> RouteExists { get; set; } = RouteCatalog.Exists;

    protected override async Task OnParametersSetAsync()
    {
        var user = Authentication is null ? null : (await Authentication).User;
        bool admin = user?.IsInRole(PanelRoles.Admin) == true;
        VisibleEntries = Entries.Where(e => RouteExists(e.Href) && (admin || !e.AdminOnly)).ToList();
    }
}

using Appliance.Web.Components.Layout;
using Appliance.Web.Users;
using Bunit;

namespace Appliance.Web.Tests.Components;

public sealed class NavMenuTests
{
    private static readonly IReadOnlyList<NavEntry> Entries =
    [
        new("/", "NavHome", "dashboard"),
        new("/clients", "NavClients", "group"),
        new("/users", "NavUsers", "manage_accounts", AdminOnly: true),
    ];

    [Fact]
    public void Admin_sees_admin_entries_and_only_pages_that_exist()
    {
        using var context = new PanelComponentContext(PanelRoles.Admin);
        var menu = context.Render<NavMenu>(p => p.Add(m => m.Entries, Entries).Add(m => m.RouteExists, href => href != "/clients"));
        Assert.Equal(["/", "/users"], menu.FindAll("a").Select(a => a.GetAttribute("href")));
        Assert.Equal("Users", menu.FindAll("a")[1].TextContent.Replace("manage_accounts", "", StringComparison.Ordinal).Trim());
    }

    [Fact]
    public void Viewer_does_not_see_admin_entries()
    {
        using var context = new PanelComponentContext(PanelRoles.Viewer, "watcher");
        var menu = context.Render<NavMenu>(p => p.Add(m => m.Entries, Entries).Add(m => m.RouteExists, _ => true));
        Assert.Equal(["/", "/clients"], menu.FindAll("a").Select(a => a.GetAttribute("href")));
    }

    [Fact]
    public void The_real_menu_names_the_pages_of_this_build()
    {
        Assert.True(RouteCatalog.Exists("/users"));
        Assert.True(RouteCatalog.Exists("/"));
        Assert.False(RouteCatalog.Exists("/no-such-page"));
        Assert.Contains(NavEntries.All, e => e.Href == "/proxmox");
    }
}

namespace Appliance.Web.Components.Layout;

/// <summary>One entry of the navigation menu. <see cref="TextKey"/> names the string in <c>Localization/Text.resx</c>.</summary>
public sealed record NavEntry(string Href, string TextKey, string Icon, bool AdminOnly = false);

/// <summary>
/// The navigation menu, in order. Add a line here when you add a page; an entry whose page does not exist (yet) is not
/// shown, so the list can name pages other parts of the panel bring later.
/// </summary>
public static class NavEntries
{
    public static readonly IReadOnlyList<NavEntry> All =
    [
        new("/", "NavHome", "dashboard"),
        new("/agents", "NavAgents", "dns"),
        new("/clients", "NavClients", "group"),
        new("/sessions", "NavSessions", "lan"),
        new("/history", "NavHistory", "history"),
        new("/proxmox", "NavProxmox", "cloud"),
        new("/audit", "NavAudit", "fact_check"),
        new("/settings", "NavSettings", "settings", AdminOnly: true),
        new("/users", "NavUsers", "manage_accounts", AdminOnly: true),
        new("/account", "NavAccount", "person"),
    ];
}

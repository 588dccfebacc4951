using System.Reflection;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.Layout;

/// <summary>The page routes this build has (from <c>@page</c> directives), so the menu shows only pages that exist.</summary>
public static class RouteCatalog
{
    private static readonly HashSet<string> Routes = typeof(RouteCatalog).Assembly.GetTypes()
        .SelectMany(t => t.GetCustomAttributes<RouteAttribute>())
        .Select(r => r.Template.TrimEnd('/').ToUpperInvariant())
        .ToHashSet(StringComparer.Ordinal);

    public static bool Exists(string href)
    {
        string key = href.TrimEnd('/').ToUpperInvariant();
        return Routes.Contains(key) || (key.Length == 0 && Routes.Contains(""));
    }
}

using System.Globalization;
using Appliance.Web.Localization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.AspNetCore.Components.Web;

namespace Appliance.Web.Components;

public partial class App
{
    [CascadingParameter]
    private HttpContext HttpContext { get; set; } = default!;

    private bool Dark => Preferences.IsDark(HttpContext);

    private static string Language => CultureInfo.CurrentUICulture.Name is { Length: > 0 } name ? name : "en";

    /// <summary>Interactive server everywhere except pages marked [ExcludeFromInteractiveRouting] (sign-in and setup post plain forms).</summary>
    private IComponentRenderMode? PageRenderMode => HttpContext.AcceptsInteractiveRouting() ? RenderMode.InteractiveServer : null;
}

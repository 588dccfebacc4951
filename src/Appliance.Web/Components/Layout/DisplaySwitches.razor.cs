using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.Layout;

/// <summary>The theme toggle and the language switch: plain form posts that set a cookie and come back to this page.</summary>
public partial class DisplaySwitches
{
    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [CascadingParameter(Name = "Dark")]
    private bool Dark { get; set; }

    private string ReturnUrl => "/" + Navigation.ToBaseRelativePath(Navigation.Uri);

    private static string Pressed(string culture) =>
        string.Equals(System.Globalization.CultureInfo.CurrentUICulture.Name, culture, StringComparison.OrdinalIgnoreCase) ? "true" : "false";
}

using Appliance.Web.Localization;
using Appliance.Web.Security;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;

namespace Appliance.Web.Endpoints;

/// <summary>Language and theme switches: each sets a cookie of the caller's browser and goes back to the page it came from.</summary>
public static class PreferenceEndpoints
{
    public static IEndpointRouteBuilder MapPreferenceEndpoints(this IEndpointRouteBuilder app)
    {
        var preferences = app.MapGroup("/preferences").RequireAntiforgery().DisableAntiforgery();
        preferences.MapPost("/culture", (HttpContext context, [FromForm] string culture, [FromForm] string? returnUrl) =>
        {
            if (!LocalizationRegistration.IsSupported(culture))
                return Results.Problem($"language '{culture}' is not offered; choose one of {string.Join(", ", LocalizationRegistration.Cultures)}",
                    statusCode: StatusCodes.Status400BadRequest, title: "unknown-language");
            context.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)), Preferences.CookieOptions(context));
            return Results.LocalRedirect(ReturnUrls.Safe(returnUrl));
        });
        preferences.MapPost("/theme", (HttpContext context, [FromForm] string theme, [FromForm] string? returnUrl) =>
        {
            if (theme is not ("dark" or "light"))
                return Results.Problem($"theme '{theme}' is not offered; choose dark or light", statusCode: StatusCodes.Status400BadRequest, title: "unknown-theme");
            context.Response.Cookies.Append(Preferences.ThemeCookie, theme, Preferences.CookieOptions(context));
            return Results.LocalRedirect(ReturnUrls.Safe(returnUrl));
        });
        return app;
    }
}

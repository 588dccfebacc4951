namespace Appliance.Web.Localization;

/// <summary>The browser-remembered display preferences: language (ASP.NET's culture cookie) and theme.</summary>
public static class Preferences
{
    public const string ThemeCookie = "panel.theme";
    public const string LightTheme = "material";
    public const string DarkTheme = "material-dark";

    public static bool IsDark(HttpContext? context) =>
        context?.Request.Cookies.TryGetValue(ThemeCookie, out string? value) == true && value == "dark";

    public static CookieOptions CookieOptions(HttpContext context) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        MaxAge = TimeSpan.FromDays(365),
        IsEssential = true,
    };
}

using System.Globalization;
using Appliance.Web.Users;
using Microsoft.AspNetCore.DataProtection;

namespace Appliance.Web.Auth;

/// <summary>
/// The short-lived, encrypted cookie that carries "password accepted for user N" from the password step to the code step,
/// so the password is never sent or kept twice.
/// </summary>
public sealed class PendingSecondFactor(IDataProtectionProvider protection, TimeProvider time)
{
    public const string CookieName = "panel.2fa";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private readonly IDataProtector _protector = protection.CreateProtector("Appliance.Web.Auth.PendingSecondFactor");

    public void Begin(HttpContext context, PanelUser user)
    {
        long expires = (time.GetUtcNow() + Lifetime).ToUnixTimeSeconds();
        string payload = string.Create(CultureInfo.InvariantCulture, $"{user.Id}|{user.SecurityStamp}|{expires}");
        context.Response.Cookies.Append(CookieName, _protector.Protect(payload), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/login",
            MaxAge = Lifetime,
        });
    }

    /// <summary>The user id waiting for its code, or null when there is none, it expired, or it is forged.</summary>
    public (long UserId, string Stamp)? Read(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(CookieName, out string? value) || string.IsNullOrEmpty(value))
            return null;
        string payload;
        try
        {
            payload = _protector.Unprotect(value);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
        string[] parts = payload.Split('|');
        if (parts.Length != 3
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long id)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long expires)
            || DateTimeOffset.FromUnixTimeSeconds(expires) < time.GetUtcNow())
            return null;
        return (id, parts[1]);
    }

    public static void End(HttpContext context) => context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/login" });
}

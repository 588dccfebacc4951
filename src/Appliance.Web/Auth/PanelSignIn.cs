using Appliance.Web.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Appliance.Web.Auth;

/// <summary>Issues the sign-in cookie; only from a plain HTTP request (a static page's form post), never from a circuit.</summary>
public static class PanelSignIn
{
    public static Task SignInAsync(HttpContext context, PanelUser user) =>
        context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, PanelClaims.For(user),
            new AuthenticationProperties { IsPersistent = false });
}

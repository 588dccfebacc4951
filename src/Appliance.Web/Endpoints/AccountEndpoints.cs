using Appliance.Web.Audit;
using Appliance.Web.Auth;
using Appliance.Web.Security;
using Appliance.Web.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Appliance.Web.Endpoints;

/// <summary>Sign-out posts. Signing in happens in the static pages <c>/login</c> and <c>/login/code</c>.</summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/account").RequireAntiforgery();
        account.MapPost("/sign-out", async (HttpContext context, AuditLog audit) =>
        {
            await audit.RecordAsync(CurrentActor.Of(context), AuditActions.SignedOut);
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return TypedResults.LocalRedirect(AuthRegistration.LoginPath);
        });
        account.MapPost("/sign-out-everywhere", async (HttpContext context, UserStore users, AuditLog audit) =>
        {
            if (PanelClaims.UserId(context.User) is { } id)
                await users.RotateSecurityStampAsync(id);
            await audit.RecordAsync(CurrentActor.Of(context), AuditActions.SignedOutEverywhere);
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return TypedResults.LocalRedirect(AuthRegistration.LoginPath);
        });
        return app;
    }
}

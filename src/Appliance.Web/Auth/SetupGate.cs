using Appliance.Web.Users;

namespace Appliance.Web.Auth;

/// <summary>
/// <c>/setup</c> exists only while no admin does: afterwards a GET goes to the sign-in page and anything else gets 403,
/// before antiforgery or the page run.
/// </summary>
public static class SetupGate
{
    public const string SetupPath = "/setup";

    public static IApplicationBuilder UseSetupGate(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.Path.StartsWithSegments(SetupPath, StringComparison.OrdinalIgnoreCase)
            && await context.RequestServices.GetRequiredService<UserStore>().AnyAdminAsync())
        {
            if (HttpMethods.IsGet(context.Request.Method))
                context.Response.Redirect(AuthRegistration.LoginPath);
            else
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }
        await next();
    });
}

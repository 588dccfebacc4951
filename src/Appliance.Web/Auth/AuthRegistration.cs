using System.Threading.RateLimiting;
using Appliance.Web.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Identity;

namespace Appliance.Web.Auth;

public static class AuthRegistration
{
    public const string CookieName = "panel.auth";
    public const string LoginPath = "/login";

    /// <summary>
    /// Cookie sign-in (HttpOnly, SameSite=Strict, Secure on https) checked against the user's security stamp on every request
    /// and every 30 s in a circuit; a fallback policy that refuses every endpoint not marked anonymous; lockout and a per-address
    /// limit on sign-in posts.
    /// </summary>
    public static WebApplicationBuilder AddPanelAuth(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<LockoutOptions>().Bind(builder.Configuration.GetSection("Panel:Lockout"))
            .Validate(o => o.MaxFailedAttempts > 0 && o.LockoutDuration > TimeSpan.Zero && o.PostsPerMinutePerAddress > 0,
                "Panel:Lockout needs MaxFailedAttempts > 0, LockoutDuration > 0 and PostsPerMinutePerAddress > 0")
            .ValidateOnStart();
        services.AddSingleton<IPasswordHasher<PanelUser>, PasswordHasher<PanelUser>>();
        services.AddSingleton<TotpCodes>();
        services.AddSingleton<CredentialChecker>();
        services.AddSingleton<PendingSecondFactor>();
        services.AddHostedService<TotpSecretProtection>();
        services.AddHttpContextAccessor();
        services.AddScoped<CurrentActor>();
        services.AddScoped<CircuitHandler, CurrentActor.CircuitAddressRecorder>();

        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.Cookie.Name = CookieName;
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.LoginPath = LoginPath;
                options.AccessDeniedPath = "/forbidden";
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
                options.Events.OnValidatePrincipal = ValidateSecurityStampAsync;
                options.Events.OnRedirectToLogin = RedirectOrRefuse(StatusCodes.Status401Unauthorized);
                options.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
            });
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(PanelPolicies.Admin, p => p.RequireAuthenticatedUser().RequireRole(PanelRoles.Admin));
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, SecurityStampRevalidator>();

        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, cancellationToken) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                return new ValueTask(context.HttpContext.Response.WriteAsync(
                    "Too many sign-in attempts from this address; wait a minute and try again.", cancellationToken));
            };
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                bool signInPost = HttpMethods.IsPost(context.Request.Method)
                    && context.Request.Path.StartsWithSegments(LoginPath, StringComparison.OrdinalIgnoreCase);
                if (!signInPost)
                    return RateLimitPartition.GetNoLimiter("unlimited");
                int limit = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<LockoutOptions>>().Value.PostsPerMinutePerAddress;
                return RateLimitPartition.GetFixedWindowLimiter(
                    "sign-in:" + context.Connection.RemoteIpAddress,
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });
        });
        return builder;
    }

    private static async Task ValidateSecurityStampAsync(CookieValidatePrincipalContext context)
    {
        var users = context.HttpContext.RequestServices.GetRequiredService<UserStore>();
        if (context.Principal is null || !await PanelClaims.IsCurrentAsync(context.Principal, users))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }

    // Pages get the login redirect; API calls, form posts and the circuit hub get a plain status.
    private static Func<RedirectContext<CookieAuthenticationOptions>, Task> RedirectOrRefuse(int status) => context =>
    {
        var request = context.Request;
        bool page = HttpMethods.IsGet(request.Method)
            && !request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
            && !request.Path.StartsWithSegments("/_blazor", StringComparison.OrdinalIgnoreCase);
        if (page)
            context.Response.Redirect(context.RedirectUri);
        else
            context.Response.StatusCode = status;
        return Task.CompletedTask;
    };
}

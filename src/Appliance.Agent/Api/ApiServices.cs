using System.Runtime.Versioning;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace Appliance.Agent.Api;

/// <summary>The control API in the host: its authentication (failing closed), throttling, JSON rules, problem answers and routes.</summary>
[SupportedOSPlatform("linux")]
internal static class ApiServices
{
    public static IServiceCollection AddAgentApi(this IServiceCollection services, X509Certificate2 apiCertificate)
    {
        services.AddSingleton<AgentInfo>();
        services.AddSingleton(apiCertificate);
        services.AddSingleton<LocalAccess>();
        services.AddSingleton<ApiAccess>();
        services.AddSingleton(sp => MetricsToken.OpenOrCreate(sp.GetRequiredService<State.StateDirectory>()));
        services.AddSingleton<FailedBearerAttempts>();
        services.AddSingleton<ApiAuditLog>();
        services.AddAuthentication(BearerAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthentication>(BearerAuthentication.SchemeName, null);
        // Fails closed: an endpoint that does not say AllowAnonymous needs a token of full scope; only the endpoints that
        // name the metrics policy also take the read-only metrics token.
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(BearerAuthentication.SchemeName).RequireAuthenticatedUser()
                .RequireClaim(ApiScopes.ClaimType, ApiScopes.Full).Build())
            .AddPolicy(ApiScopes.MetricsPolicy, p => p.AddAuthenticationSchemes(BearerAuthentication.SchemeName).RequireAuthenticatedUser()
                .RequireClaim(ApiScopes.ClaimType, ApiScopes.Full, ApiScopes.ReadMetrics));
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(PairingApi.RateLimitPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = 10, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });
        services.AddProblemDetails();
        services.AddOpenApi(o => o.RequireBearer());
        // A body that does not bind throws, so BadRequests can answer a problem naming what is wrong.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            json.SerializerOptions.RespectNullableAnnotations = true;
            json.SerializerOptions.RespectRequiredConstructorParameters = true;
        });
        return services;
    }

    public static WebApplication UseAgentApi(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = BadRequests.HandleAsync });
        app.UseStatusCodePages();
        ApiAuditLog.UseApiAudit(app);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        app.MapHealthApi();
        app.MapPairingApi();
        app.MapSessionsApi();
        app.MapClientsApi();
        app.MapCapturesApi();
        app.MapSizeProbeApi();
        app.MapConfigApi();
        app.MapHostApi();
        app.MapMetricsApi();
        app.MapOpenApi();
        return app;
    }
}

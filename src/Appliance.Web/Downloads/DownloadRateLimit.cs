using System.Threading.RateLimiting;

namespace Appliance.Web.Downloads;

/// <summary>How many requests one address may make to the one-time link pages per minute.</summary>
public sealed class DownloadRateLimitOptions
{
    public const string Section = "Downloads";

    public int RequestsPerMinute { get; set; } = 30;
}

/// <summary>
/// Limits requests to <c>/d/…</c> per client address (a fixed window per minute), so a link's page and download cannot be
/// hammered; over the limit answers 429 with Retry-After.
/// </summary>
public static class DownloadRateLimit
{
    public const string PathPrefix = "/d";

    public static IApplicationBuilder UseDownloadRateLimit(this IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<DownloadRateLimitOptions>>().Value;
        var limiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.RequestsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        return app.UseWhen(
            // Routing matches paths case-insensitively, so /D/… reaches the same pages and must count against the same limit.
            context => context.Request.Path.StartsWithSegments(PathPrefix, StringComparison.OrdinalIgnoreCase),
            branch => branch.Use(async (context, next) =>
            {
                using var lease = limiter.AttemptAcquire(context);
                if (!lease.IsAcquired)
                {
                    context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                    context.Response.Headers.RetryAfter = "60";
                    await context.Response.WriteAsync("Too many requests for download links from this address; wait a minute and try again.");
                    return;
                }
                await next(context);
            }));
    }
}

using System.Runtime.Versioning;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Appliance.Agent.Api;

/// <summary>Authenticates <c>Authorization: Bearer TOKEN</c> against <see cref="ApiAccess"/>; the fallback policy makes every endpoint need it unless marked anonymous (fails closed).</summary>
[SupportedOSPlatform("linux")]
internal sealed class BearerAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiAccess access, FailedBearerAttempts failures)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
            return Task.FromResult(AuthenticateResult.NoResult());
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(AuthenticateResult.Fail("the Authorization header is not 'Bearer TOKEN'"));
        string remote = Context.Connection.RemoteIpAddress?.ToString() ?? "?";
        if (failures.BlockedUntil(remote) is { } until)
        {
            // Over the limit: the token is not even checked until the window ends.
            Context.Items[BlockedUntilKey] = until;
            return Task.FromResult(AuthenticateResult.Fail("too many wrong tokens from this address"));
        }
        if (access.Identify(header["Bearer ".Length..].Trim()) is not { } token)
        {
            failures.RecordFailure(remote);
            // The presented value is never logged.
            Log.ApiRefused(Logger, Request.Path, remote, "wrong token");
            return Task.FromResult(AuthenticateResult.Fail("wrong token"));
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, ApiScopes.Name(token)), new Claim(ApiScopes.ClaimType, ApiScopes.Of(token))], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    private const string BlockedUntilKey = "appliance.bearer-blocked-until";

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items[BlockedUntilKey] is DateTimeOffset until)
        {
            int seconds = Math.Max(1, (int)Math.Ceiling((until - TimeProvider.GetUtcNow()).TotalSeconds));
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Results.Problem(statusCode: 429, title: "Too many wrong tokens",
                detail: $"more than {FailedBearerAttempts.Limit} wrong tokens from this address within a minute; wait {seconds} s",
                extensions: new Dictionary<string, object?> { ["code"] = "too-many-wrong-tokens" }).ExecuteAsync(Context);
            return;
        }
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Results.Problem(statusCode: 401, title: "Unauthorized",
            detail: "this call needs 'Authorization: Bearer <pairing token>'; pair the panel with the agent's token").ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Results.Problem(statusCode: 403, title: "Forbidden",
            detail: $"the {Context.User.Identity?.Name} token may only read /metrics and the health document; use the pairing token for this call",
            extensions: new Dictionary<string, object?> { ["code"] = "token-scope" }).ExecuteAsync(Context);
    }
}

using System.Runtime.Versioning;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Appliance.Agent.Api;

/// <summary>Authenticates <c>Authorization: Bearer TOKEN</c> against <see cref="ApiAccess"/>; the fallback policy makes every endpoint need it unless marked anonymous (fails closed).</summary>
[SupportedOSPlatform("linux")]
internal sealed class BearerAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiAccess access)
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
        if (!access.Verify(header["Bearer ".Length..].Trim()))
        {
            // The presented value is never logged.
            Log.ApiRefused(Logger, Request.Path, Context.Connection.RemoteIpAddress?.ToString() ?? "?", "wrong token");
            return Task.FromResult(AuthenticateResult.Fail("wrong token"));
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "operator")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Results.Problem(statusCode: 401, title: "Unauthorized",
            detail: "this call needs 'Authorization: Bearer <pairing token>'; pair the panel with the agent's token").ExecuteAsync(Context);
    }
}

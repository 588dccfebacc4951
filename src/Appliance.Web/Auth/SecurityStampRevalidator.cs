using System.Security.Claims;
using Appliance.Web.Users;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace Appliance.Web.Auth;

/// <summary>Ends a circuit's sign-in once its user is deleted, changes role or signs out everywhere (security stamp changed).</summary>
public sealed class SecurityStampRevalidator(ILoggerFactory loggerFactory, UserStore users) : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(30);

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        ClaimsPrincipal user = authenticationState.User;
        return user.Identity?.IsAuthenticated == true ? PanelClaims.IsCurrentAsync(user, users) : Task.FromResult(true);
    }
}

using System.Security.Claims;
using Appliance.Web.Audit;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Appliance.Web.Auth;

/// <summary>
/// The signed-in user and client address of the current request or circuit, for <see cref="AuditLog"/> and permission checks.
/// Scoped: in a circuit the address is the one the circuit's connection came from.
/// </summary>
public sealed class CurrentActor(AuthenticationStateProvider authentication, IHttpContextAccessor accessor)
{
    private string? _circuitAddress;

    public async Task<ClaimsPrincipal> UserAsync() => (await authentication.GetAuthenticationStateAsync()).User;

    public async Task<AuditActor> ActorAsync()
    {
        var user = await UserAsync();
        return new AuditActor(user.Identity?.Name ?? "(anonymous)", _circuitAddress ?? accessor.HttpContext?.Connection.RemoteIpAddress?.ToString());
    }

    public async Task<bool> IsAdminAsync() => (await UserAsync()).IsInRole(Users.PanelRoles.Admin);

    public async Task<long?> UserIdAsync() => PanelClaims.UserId(await UserAsync());

    /// <summary>Records the address of the connection that opened the circuit (the hub request is current then).</summary>
    internal sealed class CircuitAddressRecorder(CurrentActor actor, IHttpContextAccessor accessor) : CircuitHandler
    {
        public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            actor._circuitAddress ??= accessor.HttpContext?.Connection.RemoteIpAddress?.ToString();
            return Task.CompletedTask;
        }
    }

    /// <summary>The address of an HTTP request, for endpoints outside a circuit.</summary>
    public static AuditActor Of(HttpContext context) =>
        new(context.User.Identity?.Name ?? "(anonymous)", context.Connection.RemoteIpAddress?.ToString());
}

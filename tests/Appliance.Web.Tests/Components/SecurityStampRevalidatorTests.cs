using System.Reflection;
using System.Security.Claims;
using Appliance.Web.Auth;
using Appliance.Web.Users;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Web.Tests.Components;

/// <summary>A live circuit loses its sign-in once the user signs out everywhere, is deleted or changes role.</summary>
public sealed class SecurityStampRevalidatorTests : IDisposable
{
    private readonly PanelComponentContext _context = new();

    public void Dispose() => _context.Dispose();

    private async Task<bool> StillValidAsync(ClaimsPrincipal principal)
    {
        var revalidator = new SecurityStampRevalidator(NullLoggerFactory.Instance, _context.Get<UserStore>());
        var method = typeof(SecurityStampRevalidator).GetMethod("ValidateAuthenticationStateAsync", BindingFlags.Instance | BindingFlags.NonPublic)!;
        return await (Task<bool>)method.Invoke(revalidator, [new AuthenticationState(principal), CancellationToken.None])!;
    }

    private async Task<PanelUser> AddAsync(string role)
    {
        var users = _context.Get<UserStore>();
        long id = (await users.TryAddAsync("circuit-user", "hash", role, 0))!.Value;
        return (await users.FindByIdAsync(id))!;
    }

    [Fact]
    public async Task The_circuit_of_an_unchanged_user_stays_signed_in()
    {
        var user = await AddAsync(PanelRoles.Admin);
        Assert.True(await StillValidAsync(PanelClaims.For(user)));
    }

    [Fact]
    public async Task Sign_out_everywhere_ends_the_circuit()
    {
        var user = await AddAsync(PanelRoles.Admin);
        await _context.Get<UserStore>().RotateSecurityStampAsync(user.Id);
        Assert.False(await StillValidAsync(PanelClaims.For(user)));
    }

    [Fact]
    public async Task A_deleted_or_demoted_user_loses_the_circuit()
    {
        var user = await AddAsync(PanelRoles.Admin);
        var principal = PanelClaims.For(user);
        await _context.Get<UserStore>().SetRoleAsync(user.Id, PanelRoles.Viewer);
        Assert.False(await StillValidAsync(principal));
        await _context.Get<UserStore>().DeleteAsync(user.Id);
        Assert.False(await StillValidAsync(principal));
    }
}

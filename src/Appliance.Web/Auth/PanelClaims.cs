using System.Globalization;
using System.Security.Claims;
using Appliance.Web.Users;

namespace Appliance.Web.Auth;

/// <summary>The claims of a panel sign-in: user id, name, role and the security stamp it was issued under.</summary>
public static class PanelClaims
{
    public const string SecurityStamp = "panel:stamp";
    public const string Scheme = "panel";

    public static ClaimsPrincipal For(PanelUser user) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, user.Id.ToString(CultureInfo.InvariantCulture)),
            new Claim(ClaimTypes.Name, user.UserName),
            new Claim(ClaimTypes.Role, user.Role),
            new Claim(SecurityStamp, user.SecurityStamp),
        ],
        Scheme, ClaimTypes.Name, ClaimTypes.Role));

    public static long? UserId(ClaimsPrincipal principal) =>
        long.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), NumberStyles.None, CultureInfo.InvariantCulture, out long id) ? id : null;

    /// <summary>True while the principal's user exists with the same security stamp and role.</summary>
    public static async Task<bool> IsCurrentAsync(ClaimsPrincipal principal, UserStore users)
    {
        if (UserId(principal) is not { } id)
            return false;
        var user = await users.FindByIdAsync(id);
        return user is not null
            && string.Equals(user.SecurityStamp, principal.FindFirstValue(SecurityStamp), StringComparison.Ordinal)
            && principal.IsInRole(user.Role);
    }
}

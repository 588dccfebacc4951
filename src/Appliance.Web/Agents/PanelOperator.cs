using System.Security.Claims;
using Appliance.Web.Audit;

namespace Appliance.Web.Agents;

/// <summary>Who acts on an agent: the audit identity and whether the role allows changing anything.</summary>
public sealed record PanelOperator(AuditActor Actor, bool IsAdmin)
{
    /// <summary>The panel itself (auto-pairing the local agent, background jobs).</summary>
    public static PanelOperator System { get; } = new(AuditActor.System, true);

    public static PanelOperator From(ClaimsPrincipal user, string? remoteAddress) =>
        new(new AuditActor(user.Identity?.Name ?? "(anonymous)", remoteAddress), user.IsInRole("admin"));

    /// <summary>Refuses a viewer (or anyone not an admin): the check every acting service makes, whatever the UI showed.</summary>
    public void RequireAdmin(string what)
    {
        if (!IsAdmin)
            throw new UnauthorizedAccessException($"{Actor.UserName} is not an admin: only an admin can {what}");
    }
}

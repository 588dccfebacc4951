using Appliance.Web.Audit;
using Appliance.Web.Auth;
using Appliance.Web.Users;

namespace Appliance.Web.Agents;

/// <summary>Who acts on an agent: the audit identity and whether the role allows changing anything.</summary>
public sealed record PanelOperator(AuditActor Actor, bool IsAdmin)
{
    /// <summary>The panel itself (auto-pairing the local agent, background jobs).</summary>
    public static PanelOperator System { get; } = new(AuditActor.System, true);

    /// <summary>The signed-in user of the current circuit or request.</summary>
    public static async Task<PanelOperator> OfAsync(CurrentActor current) => new(await current.ActorAsync(), await current.IsAdminAsync());

    /// <summary>The user of an HTTP request (endpoints outside a circuit).</summary>
    public static PanelOperator Of(HttpContext context) => new(CurrentActor.Of(context), context.User.IsInRole(PanelRoles.Admin));

    /// <summary>Refuses a viewer (or anyone not an admin): the check every acting service makes, whatever the UI showed.</summary>
    public void RequireAdmin(string what)
    {
        if (!IsAdmin)
            throw new UnauthorizedAccessException($"{Actor.UserName} is not an admin: only an admin can {what}");
    }
}

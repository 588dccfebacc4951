using Appliance.Contracts;
using Appliance.Web.Agents;
using Appliance.Web.Sessions;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.Pages.Sessions;

public partial class SessionPage
{
    [Parameter]
    public long AgentId { get; set; }

    [Parameter]
    public string SessionId { get; set; } = "";

    [Inject]
    private SessionActions Actions { get; set; } = default!;

    protected override long? ChosenAgentId => AgentId;

    private LiveSession? Session { get; set; }

    private IReadOnlyList<RatePoint> Series { get; set; } = [];

    private string Title => Session?.Name ?? SessionId;

    private string? Problem { get; set; }

    private string? Notice { get; set; }

    protected override void OnViewChanged()
    {
        Session = View?.Find(SessionId) ?? (View?.IsDown == true ? Session : null);
        if (Agent is not null)
            Series = Live.Series(Agent.Id, SessionId);
    }

    private async Task KickAsync()
    {
        try
        {
            await Actions.KickAsync(await OperatorAsync(), AgentId, SessionId, Session?.Session.CommonName);
            Notice = T["NoticeKicked", Title];
            Problem = null;
        }
        catch (Exception e) when (e is AgentApiException or AgentNotPairedException or UnauthorizedAccessException)
        {
            Problem = e.Message;
        }
    }
}

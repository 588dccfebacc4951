using System.Globalization;
using Appliance.Contracts;
using Appliance.Web.Agents;
using Appliance.Web.Sessions;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.Pages.Sessions;

/// <summary>One session: live while it lasts; once ended, the last view the agent kept of it (counters, PPPoE view, findings,
/// the last probe, its captures), until the agent's retention forgets it.</summary>
public partial class SessionPage
{
    /// <summary>How many views in a row the page asks the agent for a session that left the live list before it says "gone".</summary>
    private const int EndedLookups = 5;

    [Parameter]
    public long AgentId { get; set; }

    [Parameter]
    public string SessionId { get; set; } = "";

    [Inject]
    private SessionActions Actions { get; set; } = default!;

    [Inject]
    private EndedSessionCatalog EndedCatalog { get; set; } = default!;

    protected override long? ChosenAgentId => AgentId;

    private LiveSession? Session { get; set; }

    /// <summary>The agent's kept view once the session has ended; null while it lives.</summary>
    private EndedSessionDto? Ended { get; set; }

    private SessionDto? Shown => Session?.Session ?? Ended?.Last;

    private IReadOnlyList<RatePoint> Series { get; set; } = [];

    private string Title => Session?.Name ?? Ended?.Last.CommonName ?? SessionId;

    private string? Problem { get; set; }

    private string? Notice { get; set; }

    private int _lookups;
    private bool _looking;

    /// <summary>True until the agent has been asked (a few times) for the ended session.</summary>
    private bool LookingForEnded => Session is null && Ended is null && _lookups < EndedLookups;

    protected override async Task OnParametersSetAsync()
    {
        await base.OnParametersSetAsync();
        if (Session is null && View is { IsDown: false })
            await LookUpEndedAsync();
    }

    protected override void OnViewChanged()
    {
        Session = View?.Find(SessionId) ?? (View?.IsDown == true ? Session : null);
        if (Agent is not null)
            Series = Live.Series(Agent.Id, SessionId);
        // Kicked or dropped while shown: fetch its kept view (the agent may need a tick to keep it).
        if (Session is null && Ended is null && !_looking && _lookups < EndedLookups && View is { IsDown: false } && RendererInfo.IsInteractive)
            _ = InvokeAsync(async () => { await LookUpEndedAsync(); StateHasChanged(); });
    }

    private async Task LookUpEndedAsync()
    {
        if (_looking || Ended is not null)
            return;
        _looking = true;
        try
        {
            _lookups++;
            Ended = await EndedCatalog.FindAsync(AgentId, SessionId);
            if (Ended is not null)
                _lookups = EndedLookups;
        }
        catch (Exception e) when (e is AgentApiException or AgentNotPairedException)
        {
            Problem = e.Message;
            _lookups = EndedLookups;
        }
        finally
        {
            _looking = false;
        }
    }

    private static string Time(DateTimeOffset at) => at.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

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

using Appliance.Web.Sessions;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.AgentParts;

/// <summary>
/// A page that shows an agent's live sessions: a snapshot on first render (also when prerendered), then every update the
/// shared feed pushes over the circuit until the page is left.
/// </summary>
public abstract class LiveAgentPage : AgentPageBase, IDisposable
{
    private IDisposable? _subscription;
    private long? _subscribedTo;

    [Inject]
    protected LiveSessions Live { get; set; } = default!;

    protected LiveSessionsView? View { get; private set; }

    /// <summary>The banner text while the agent is down (the last data stays visible under it).</summary>
    protected string? AgentProblem => View?.Problem;

    [Inject]
    private Microsoft.Extensions.Localization.IStringLocalizer<Localization.AgentText> Strings { get; set; } = default!;

    /// <summary>The agent-down banner: which agent, since when, and the problem as the client reported it.</summary>
    protected string? DownMessage => View?.Problem is { } problem ? Strings["AgentDown", Agent?.Name ?? "", problem].Value : null;

    protected override async Task OnParametersSetAsync()
    {
        await LoadAgentAsync();
        if (Agent is null)
            return;
        if (_subscribedTo != Agent.Id)
        {
            View = await Live.SnapshotAsync(Agent.Id);
            _subscription?.Dispose();
            _subscription = null;
            _subscribedTo = null;
            if (RendererInfo.IsInteractive)
            {
                _subscription = Live.Subscribe(Agent.Id, view => _ = InvokeAsync(() => { View = view; OnViewChanged(); StateHasChanged(); }));
                _subscribedTo = Agent.Id;
            }
        }
        OnViewChanged();
    }

    /// <summary>Called on the renderer's thread whenever a new view arrived.</summary>
    protected virtual void OnViewChanged()
    {
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        GC.SuppressFinalize(this);
    }
}

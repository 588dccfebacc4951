using Appliance.Web.Agents;
using Appliance.Web.Auth;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.AgentParts;

/// <summary>
/// A page about one paired agent, chosen with <c>?agent=</c> (the first paired agent by default): loads the agents, the
/// chosen one and whether the user may act.
/// </summary>
public abstract class AgentPageBase : ComponentBase
{
    [Inject]
    protected AgentStore AgentStore { get; set; } = default!;

    [Inject]
    protected CurrentActor Current { get; set; } = default!;

    [Inject]
    protected NavigationManager Navigation { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "agent")]
    public long? AgentQuery { get; set; }

    protected IReadOnlyList<PairedAgent> Agents { get; private set; } = [];

    /// <summary>The agent the page shows; null when none is paired.</summary>
    protected PairedAgent? Agent { get; private set; }

    protected bool IsAdmin { get; private set; }

    /// <summary>The agent asked for; a page with the agent in its route overrides this.</summary>
    protected virtual long? ChosenAgentId => AgentQuery;

    protected async Task<PanelOperator> OperatorAsync() => await PanelOperator.OfAsync(Current);

    /// <summary>Loads the agents and picks the one to show. Call first in <c>OnParametersSetAsync</c>.</summary>
    protected async Task LoadAgentAsync()
    {
        Agents = await AgentStore.ListAsync();
        Agent = Agents.FirstOrDefault(a => a.Id == ChosenAgentId) ?? (Agents.Count > 0 ? Agents[0] : null);
        IsAdmin = await Current.IsAdminAsync();
    }
}

using Appliance.Contracts;
using Appliance.Web.Agents;
using Appliance.Web.Auth;
using Appliance.Web.Sessions;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.AgentParts;

public partial class SizeProbePanel
{
    [Parameter, EditorRequired]
    public long AgentId { get; set; }

    [Parameter, EditorRequired]
    public string SessionId { get; set; } = "";

    /// <summary>Whether the user may run the probe (admins).</summary>
    [Parameter]
    public bool CanAct { get; set; }

    [Inject]
    private SessionActions Actions { get; set; } = default!;

    [Inject]
    private CurrentActor Current { get; set; } = default!;

    /// <summary>A result the agent kept (the last probe of an ended session): shown without a button.</summary>
    [Parameter]
    public FrameSizeProbeDto? Kept { get; set; }

    private FrameSizeProbeDto? Result { get; set; }

    protected override void OnParametersSet() => Result ??= Kept;

    private bool Probing { get; set; }

    private string? Problem { get; set; }

    private async Task ProbeAsync()
    {
        Probing = true;
        try
        {
            Result = await Actions.ProbeFrameSizesAsync(await PanelOperator.OfAsync(Current), AgentId, SessionId);
            Problem = null;
        }
        catch (Exception e) when (e is AgentApiException or AgentNotPairedException or UnauthorizedAccessException)
        {
            Problem = e.Message;
        }
        finally
        {
            Probing = false;
        }
    }
}

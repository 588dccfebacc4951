using Appliance.Contracts;
using Appliance.Web.Agents;
using Appliance.Web.Auth;
using Appliance.Web.Sessions;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.AgentParts;

public partial class CapturePanel
{
    [Parameter, EditorRequired]
    public long AgentId { get; set; }

    [Parameter, EditorRequired]
    public string SessionId { get; set; } = "";

    /// <summary>Whether the user may start, stop and download captures (admins).</summary>
    [Parameter]
    public bool CanAct { get; set; }

    [Inject]
    private SessionActions Actions { get; set; } = default!;

    [Inject]
    private CurrentActor Current { get; set; } = default!;

    /// <summary>The session has ended: its finished captures stay listed and downloadable (while the agent keeps the session); no new one.</summary>
    [Parameter]
    public bool SessionEnded { get; set; }

    private IReadOnlyList<CaptureDto> Captures { get; set; } = [];

    private bool KeepCredentials { get; set; }

    private bool Running => Captures.Any(c => c.State == "running");

    private string? Problem { get; set; }

    protected override Task OnParametersSetAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        try
        {
            Captures = await Actions.ListCapturesAsync(AgentId, SessionId);
        }
        catch (Exception e) when (e is AgentApiException or AgentNotPairedException)
        {
            Problem = e.Message;
        }
    }

    private Task StartAsync() => ActAsync(async by => await Actions.StartCaptureAsync(by, AgentId, SessionId, KeepCredentials));

    private Task StopAsync(string captureId) => ActAsync(async by => await Actions.StopCaptureAsync(by, AgentId, captureId));

    private async Task ActAsync(Func<PanelOperator, Task> action)
    {
        try
        {
            await action(await PanelOperator.OfAsync(Current));
            Problem = null;
            KeepCredentials = false;
        }
        catch (Exception e) when (e is AgentApiException or AgentNotPairedException or UnauthorizedAccessException)
        {
            Problem = e.Message;
        }
        await LoadAsync();
    }
}

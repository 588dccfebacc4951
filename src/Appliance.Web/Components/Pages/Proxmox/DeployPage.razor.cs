using Appliance.Web.Agents;
using Appliance.Web.Auth;
using Appliance.Web.Proxmox;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.Pages.Proxmox;

/// <summary>Deploys an appliance VM from the template with live step-by-step progress, then shows the paired agent.</summary>
public partial class DeployPage : IDisposable
{
    [Inject]
    private DeployService Deployer { get; set; } = default!;

    [Inject]
    private ProxmoxSiteStore Sites { get; set; } = default!;

    [Inject]
    private CurrentActor Current { get; set; } = default!;

    private DeployChoices? Choices { get; set; }

    private DeployForm Input { get; set; } = new();

    private StepLog? Log { get; set; }

    private DeployOutcome? Outcome { get; set; }

    private bool IsAdmin { get; set; }

    private bool Running { get; set; }

    private bool Cancelling { get; set; }

    // Cancels the running deploy: on Cancel, and when the page goes away (the workflow then removes what it made).
    private CancellationTokenSource? _cancel;

    private string? Problem { get; set; }

    private string TemplateHint => Choices is { Templates.Count: > 0 } choices
        ? P["TemplatesFound", string.Join(", ", choices.Templates.Select(t => $"{t.VmId} ({t.Name})"))]
        : P["NoTemplatesFound"];

    protected override async Task OnInitializedAsync()
    {
        IsAdmin = await Current.IsAdminAsync();
        if (!IsAdmin)
            return;
        var site = await Sites.ReadAsync();
        var choices = await Deployer.ReadChoicesAsync();
        Choices = choices.Value;
        Problem = choices.Problem;
        if (Choices is { } found)
        {
            Input.Node = site?.Node ?? (found.Nodes.Count > 0 ? found.Nodes[0] : "");
            Input.TemplateVmId = found.Templates.Count > 0 ? found.Templates[0].VmId : null;
        }
    }

    private async Task DeployAsync()
    {
        Running = true;
        Cancelling = false;
        _cancel = new CancellationTokenSource();
        Outcome = null;
        Problem = null;
        if (Log is not null)
            Log.Changed -= Refresh;
        Log = new StepLog();
        Log.Changed += Refresh;
        try
        {
            Outcome = await Deployer.DeployAsync(await PanelOperator.OfAsync(Current), Input.ToRequest(), Log, Input.ToDialAddress(), _cancel.Token);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or ArgumentException)
        {
            Problem = e.Message;
        }
        finally
        {
            // Deploy is offered again only now: after the outcome, the clean-up and the audit entry.
            Running = false;
            _cancel.Dispose();
            _cancel = null;
        }
    }

    private void Cancel()
    {
        Cancelling = true;
        _cancel?.Cancel();
    }

    // Steps arrive on the workflow's thread; render on the circuit's.
    private void Refresh() => _ = InvokeAsync(StateHasChanged);

    public void Dispose()
    {
        if (Log is not null)
            Log.Changed -= Refresh;
        _cancel?.Cancel();
        GC.SuppressFinalize(this);
    }
}

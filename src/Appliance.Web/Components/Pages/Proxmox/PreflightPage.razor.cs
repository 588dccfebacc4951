using Appliance.Proxmox.Workflows;
using Appliance.Proxmox.Workflows.Preflight;
using Appliance.Web.Agents;
using Appliance.Web.Auth;
using Appliance.Web.Proxmox;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.Pages.Proxmox;

/// <summary>The PPPoE NIC pre-flight checks of the appliance VM, with a confirmed, audited API fix per failed check where one exists.</summary>
public partial class PreflightPage
{
    [Inject]
    private PreflightService Preflight { get; set; } = default!;

    [Inject]
    private ProxmoxSiteStore Sites { get; set; } = default!;

    [Inject]
    private CurrentActor Current { get; set; } = default!;

    private PreflightForm Input { get; set; } = new();

    private PreflightReport? Report { get; set; }

    private OperatorMessage? FixMessage { get; set; }

    private bool IsAdmin { get; set; }

    private bool Busy { get; set; }

    private string? Problem { get; set; }

    protected override async Task OnInitializedAsync()
    {
        IsAdmin = await Current.IsAdminAsync();
        if (await Sites.ReadAsync() is { } site)
        {
            Input.Bridge = site.PppoeBridge;
            if (site.VmId is not null)
                await CheckAsync();
        }
        else
        {
            Problem = new ProxmoxNotConnectedException().Message;
        }
    }

    // A new check replaces the banners of the last action.
    private async Task CheckAsync()
    {
        FixMessage = null;
        Problem = null;
        await ReadChecksAsync();
    }

    private async Task ReadChecksAsync()
    {
        Busy = true;
        try
        {
            var reading = await Preflight.CheckAsync(Input.Bridge.Trim());
            Report = reading.Value;
            Problem = reading.Problem;
        }
        finally
        {
            Busy = false;
        }
    }

    private async Task FixAsync(PreflightFixRequest request)
    {
        if (Report is null)
            return;
        FixMessage = null;
        Problem = null;
        Busy = true;
        try
        {
            FixMessage = await Preflight.ApplyFixAsync(await PanelOperator.OfAsync(Current), Report, request.Fix, request.Port);
        }
        catch (UnauthorizedAccessException e)
        {
            FixMessage = new OperatorMessage(MessageLevel.Error, e.Message);
        }
        finally
        {
            Busy = false;
        }
        // Show the checks as they stand after the fix (its message stays).
        await ReadChecksAsync();
    }
}

using Appliance.Proxmox.Models;
using Appliance.Proxmox.Workflows;
using Appliance.Proxmox.Workflows.Operations;
using Appliance.Web.Agents;
using Appliance.Web.Auth;
using Appliance.Web.Components.Shared;
using Appliance.Web.Proxmox;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.Pages.Proxmox;

/// <summary>The appliance VM: status, graphs (hour/day), power actions and console link; admins choose which VM it is.</summary>
public partial class VmPage
{
    [Inject]
    private ApplianceVmService Vm { get; set; } = default!;

    [Inject]
    private ProxmoxSiteStore Sites { get; set; } = default!;

    [Inject]
    private CurrentActor Current { get; set; } = default!;

    private ProxmoxSite? Site { get; set; }

    private ApplianceVmView? View { get; set; }

    private RrdTimeframe Timeframe { get; set; } = RrdTimeframe.Hour;

    private ApplianceVmForm Choice { get; set; } = new();

    private OperatorMessage? ActionMessage { get; set; }

    private bool IsAdmin { get; set; }

    private bool Busy { get; set; }

    /// <summary>The VMs (no templates) on the node typed, to choose from.</summary>
    private IReadOnlyList<VmSummary> Vms { get; set; } = [];

    private string? VmListProblem { get; set; }

    private string? Problem { get; set; }

    protected override async Task OnInitializedAsync()
    {
        IsAdmin = await Current.IsAdminAsync();
        Site = await Sites.ReadAsync();
        if (Site is not null)
            Choice = new ApplianceVmForm { Node = Site.Node ?? "", VmId = Site.VmId, PppoeBridge = Site.PppoeBridge };
        await LoadAsync();
        if (IsAdmin && Site is not null)
            await ListVmsAsync();
    }

    private async Task ListVmsAsync()
    {
        Vms = [];
        VmListProblem = null;
        if (string.IsNullOrWhiteSpace(Choice.Node))
            return;
        var reading = await Vm.ListVmsAsync(Choice.Node.Trim());
        Vms = reading.Value ?? [];
        VmListProblem = reading.Problem;
    }

    private async Task LoadAsync()
    {
        var reading = await Vm.ReadAsync(Timeframe);
        View = reading.Value;
        Problem = reading.Problem;
    }

    private async Task ShowAsync(RrdTimeframe timeframe)
    {
        Timeframe = timeframe;
        await LoadAsync();
    }

    private async Task PowerAsync(VmPowerAction action)
    {
        // A new action replaces the banners of the last one.
        ActionMessage = null;
        Problem = null;
        Busy = true;
        try
        {
            ActionMessage = await Vm.PowerAsync(await PanelOperator.OfAsync(Current), action);
            await LoadAsync();
        }
        catch (UnauthorizedAccessException e)
        {
            ActionMessage = new OperatorMessage(MessageLevel.Error, e.Message);
        }
        finally
        {
            Busy = false;
        }
    }

    private async Task ChooseAsync()
    {
        ActionMessage = null;
        Problem = null;
        Busy = true;
        try
        {
            await Vm.ChooseAsync(await PanelOperator.OfAsync(Current), Choice.Node.Trim(), Choice.VmId!.Value, Choice.PppoeBridge.Trim());
            ActionMessage = new OperatorMessage(MessageLevel.Success, P["NoticeVmChosen", Choice.VmId.Value, Choice.Node]);
            Site = await Sites.ReadAsync();
            await LoadAsync();
        }
        catch (Exception e) when (e is UnauthorizedAccessException or ProxmoxSetupMissingException or ArgumentException or Appliance.Proxmox.Errors.ProxmoxException)
        {
            ActionMessage = new OperatorMessage(MessageLevel.Error, e.Message);
        }
        finally
        {
            Busy = false;
        }
    }

    /// <summary>Errors as alerts; success, warnings and notes as status banners.</summary>
    internal static BannerKind BannerFor(OperatorMessage? message) => message?.Level switch
    {
        MessageLevel.Error => BannerKind.Error,
        MessageLevel.Success => BannerKind.Success,
        _ => BannerKind.Info,
    };
}

using Appliance.Proxmox.Models;
using Appliance.Proxmox.Workflows;
using Appliance.Proxmox.Workflows.Operations;
using Appliance.Web.Agents;
using Appliance.Web.Audit;

namespace Appliance.Web.Proxmox;

/// <summary>What the VM page shows: the overview and the charts of the chosen time frame.</summary>
public sealed record ApplianceVmView(VmOverview Overview, VmCharts Charts);

/// <summary>
/// The appliance VM page's service over <see cref="ApplianceVmOperations"/>: status, charts and power actions of the VM an
/// admin chose (or deployed). Actions need an admin and are audited with their outcome.
/// </summary>
public sealed partial class ApplianceVmService(ProxmoxClients clients, ProxmoxSiteStore store, AuditLog audit)
{
    // A PVE node name is a host name's first label.
    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")]
    private static partial System.Text.RegularExpressions.Regex NodeName();

    /// <summary>Nodes, status, console link and charts; a problem when no VM is chosen or Proxmox refuses.</summary>
    public Task<ProxmoxReading<ApplianceVmView>> ReadAsync(RrdTimeframe timeframe, CancellationToken cancellationToken = default)
        => ProxmoxReading.FromAsync(async () =>
        {
            using var site = await clients.OpenAsync();
            var (node, vmId) = Chosen(site.Site);
            var operations = new ApplianceVmOperations(site.Client);
            var overview = await operations.GetOverviewAsync(node, vmId, cancellationToken);
            var charts = await operations.GetChartsAsync(node, vmId, timeframe, cancellationToken);
            return new ApplianceVmView(overview, charts);
        });

    /// <summary>The VMs of <paramref name="node"/> (templates left out), for choosing the appliance VM.</summary>
    public Task<ProxmoxReading<IReadOnlyList<VmSummary>>> ListVmsAsync(string node, CancellationToken cancellationToken = default)
        => ProxmoxReading.FromAsync<IReadOnlyList<VmSummary>>(async () =>
        {
            using var site = await clients.OpenAsync();
            return (await site.Client.GetVmsAsync(node, cancellationToken)).Where(v => v.Template != true).OrderBy(v => v.VmId).ToList();
        });

    /// <summary>
    /// Records which VM is the appliance and which bridge carries PPPoE, once Proxmox confirms the node is in the cluster
    /// and the VM is on it and no template; else throws <see cref="ArgumentException"/> saying which and what to choose.
    /// Proxmox refusals come as <see cref="Appliance.Proxmox.Errors.ProxmoxException"/>.
    /// </summary>
    public async Task ChooseAsync(PanelOperator by, string node, int vmId, string pppoeBridge, CancellationToken cancellationToken = default)
    {
        by.RequireAdmin("choose the appliance VM");
        if (!NodeName().IsMatch(node))
            throw new ArgumentException($"'{node}' is not a node name (letters, digits and hyphens, as Proxmox shows it under Datacenter)", nameof(node));
        using (var site = await clients.OpenAsync())
        {
            var nodes = await site.Client.GetNodesAsync(cancellationToken);
            if (nodes.All(n => n.Node != node))
                throw new ArgumentException($"node '{node}' is not in this cluster; choose one of {string.Join(", ", nodes.Select(n => n.Node))}", nameof(node));
            var vm = (await site.Client.GetVmsAsync(node, cancellationToken)).FirstOrDefault(v => v.VmId == vmId)
                ?? throw new ArgumentException($"there is no VM {vmId} on node {node}; choose one from the list", nameof(vmId));
            if (vm.Template == true)
                throw new ArgumentException($"VM {vmId} ({vm.Name}) is a template, not a running appliance; choose the VM deployed from it, or deploy one", nameof(vmId));
        }
        if (!await store.SaveApplianceVmAsync(node, vmId, pppoeBridge))
            throw new ProxmoxNotConnectedException();
        await audit.RecordAsync(by.Actor, ProxmoxAuditActions.ApplianceVmChosen, $"VM {vmId} on {node}", $"PPPoE bridge {pppoeBridge}");
    }

    /// <summary>Runs a power action on the appliance VM and audits it with its outcome.</summary>
    public async Task<OperatorMessage> PowerAsync(PanelOperator by, VmPowerAction action, CancellationToken cancellationToken = default)
    {
        by.RequireAdmin("start or stop the appliance VM");
        ConnectedSite site;
        try
        {
            site = await clients.OpenAsync();
        }
        catch (ProxmoxNotConnectedException e)
        {
            return new OperatorMessage(MessageLevel.Error, e.Message);
        }
        using (site)
        {
            if (site.Site.Node is null || site.Site.VmId is null)
                return new OperatorMessage(MessageLevel.Error, NoVmChosen);
            var (node, vmId) = Chosen(site.Site);
            var message = await new ApplianceVmOperations(site.Client).PowerAsync(node, vmId, action, cancellationToken);
            await audit.RecordAsync(by.Actor, ProxmoxAuditActions.PowerAction, $"VM {vmId} on {node}", $"{action.ToString().ToLowerInvariant()}: {message.Level}: {message.Text}");
            return message;
        }
    }

    private const string NoVmChosen = "no appliance VM is chosen yet; an admin picks it under Proxmox → Appliance VM (or deploys one)";

    private static (string Node, int VmId) Chosen(ProxmoxSite site)
        => site is { Node: { } node, VmId: { } vmId } ? (node, vmId) : throw new ApplianceVmNotChosenException(NoVmChosen);
}

/// <summary>No appliance VM is chosen yet.</summary>
public sealed class ApplianceVmNotChosenException(string message) : ProxmoxSetupMissingException(message);

using Appliance.Proxmox.Workflows;
using Appliance.Proxmox.Workflows.Preflight;
using Appliance.Web.Agents;
using Appliance.Web.Audit;

namespace Appliance.Web.Proxmox;

/// <summary>The PPPoE NIC pre-flight checks of the appliance VM, and their API fixes (admin, audited).</summary>
public sealed class PreflightService(ProxmoxClients clients, AuditLog audit)
{
    /// <summary>Runs every check on the appliance VM's NIC on <paramref name="bridge"/> (the stored PPPoE bridge when null).</summary>
    public Task<ProxmoxReading<PreflightReport>> CheckAsync(string? bridge = null, CancellationToken cancellationToken = default)
        => ProxmoxReading.FromAsync(async () =>
        {
            using var site = await clients.OpenAsync();
            var (node, vmId) = Chosen(site.Site);
            return await new PppoeNicPreflight(site.Client).CheckAsync(node, vmId, bridge ?? site.Site.PppoeBridge, cancellationToken);
        });

    /// <summary>
    /// Applies <paramref name="fix"/> from <paramref name="report"/> (with the bridge <paramref name="port"/> the admin picked,
    /// when the fix asks for one) and audits it with its outcome.
    /// </summary>
    public async Task<OperatorMessage> ApplyFixAsync(PanelOperator by, PreflightReport report, PreflightFix fix, string? port = null, CancellationToken cancellationToken = default)
    {
        by.RequireAdmin("change the appliance VM's network");
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
            var message = await new PppoeNicPreflight(site.Client).ApplyFixAsync(report.Node, report.VmId, fix, port, cancellationToken);
            var target = fix switch
            {
                NicFix nic => $"VM {report.VmId} on {report.Node} net{nic.NicIndex}",
                BridgeFix bridge => $"bridge {bridge.Bridge} on {report.Node}",
                _ => $"VM {report.VmId} on {report.Node}",
            };
            await audit.RecordAsync(by.Actor, ProxmoxAuditActions.PreflightFixed, target,
                $"{fix.CheckId}: {fix.Description}{(port is null ? "" : $" (port {port})")} → {message.Level}: {message.Text}");
            return message;
        }
    }

    private static (string Node, int VmId) Chosen(ProxmoxSite site)
        => site is { Node: { } node, VmId: { } vmId } ? (node, vmId)
            : throw new ApplianceVmNotChosenException("no appliance VM is chosen yet; an admin picks it under Proxmox → Appliance VM (or deploys one)");
}

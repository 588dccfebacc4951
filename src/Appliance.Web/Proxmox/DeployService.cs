using Appliance.Proxmox.Models;
using Appliance.Proxmox.Workflows;
using Appliance.Proxmox.Workflows.Deploy;
using Appliance.Web.Agents;
using Appliance.Web.Audit;

namespace Appliance.Web.Proxmox;

/// <summary>What the deploy form offers to choose from.</summary>
/// <param name="BridgeAddresses">The host's own address (CIDR) on each bridge that has one: such a bridge is a management network, not an uplink for PPPoE.</param>
public sealed record DeployChoices(IReadOnlyList<string> Nodes, IReadOnlyList<ClusterResource> Templates, IReadOnlyList<string> Storages, IReadOnlyList<string> Bridges,
    IReadOnlyDictionary<string, string>? BridgeAddresses = null);

/// <summary>A deploy's outcome as the page shows it: the workflow's result and the agent it paired (or why pairing failed).</summary>
/// <param name="DialProblem">Why the address the operator entered for the profiles could not be set in the new agent, or null.</param>
public sealed record DeployOutcome(DeployResult Result, PairedAgent? Agent, string? PairingProblem, string? DialProblem = null);

/// <summary>
/// Runs the deploy workflow for an admin and registers the new agent as paired (URL, pinned certificate fingerprint and the
/// pairing token the workflow placed in the guest, read back through the authenticated Proxmox API). The new VM becomes the
/// appliance VM. Audited; the token never appears in the audit log.
/// </summary>
public sealed class DeployService(ProxmoxClients clients, ProxmoxSiteStore store, AgentStore agents, AgentDialAddress dialAddresses, AuditLog audit, TimeProvider time)
{
    /// <summary>Nodes, templates, storages holding VM disks and bridges of the stored site.</summary>
    public Task<ProxmoxReading<DeployChoices>> ReadChoicesAsync(string? node = null, CancellationToken cancellationToken = default)
        => ProxmoxReading.FromAsync(async () =>
        {
            using var site = await clients.OpenAsync();
            var nodes = (await site.Client.GetNodesAsync(cancellationToken)).Select(n => n.Node).Order(StringComparer.Ordinal).ToList();
            var target = node ?? site.Site.Node ?? nodes.FirstOrDefault();
            var templates = (await site.Client.GetClusterResourcesAsync("vm", cancellationToken)).Where(r => r.Template == true).OrderBy(r => r.VmId).ToList();
            IReadOnlyList<string> storages = [];
            IReadOnlyList<string> bridges = [];
            var addresses = new Dictionary<string, string>(StringComparer.Ordinal);
            if (target is not null)
            {
                storages = (await site.Client.GetStoragesAsync(target, "images", cancellationToken)).Select(s => s.Storage).ToList();
                var found = (await site.Client.GetNetworkInterfacesAsync(target, null, cancellationToken)).Where(i => i.Type is "bridge" or "OVSBridge").ToList();
                bridges = found.Select(i => i.Name).Order(StringComparer.Ordinal).ToList();
                foreach (var bridge in found)
                {
                    if (!string.IsNullOrWhiteSpace(bridge.Cidr))
                        addresses[bridge.Name] = bridge.Cidr;
                }
            }
            return new DeployChoices(nodes, templates, storages, bridges, addresses);
        });

    /// <summary>
    /// Deploys, reporting each step to <paramref name="progress"/>; on success pairs the agent, chooses the VM and, when
    /// <paramref name="dial"/> is given, writes it into the agent's config as where its profiles dial.
    /// </summary>
    public async Task<DeployOutcome> DeployAsync(PanelOperator by, DeployRequest request, IProgress<WorkflowStep>? progress, DialAddress? dial = null,
        CancellationToken cancellationToken = default)
    {
        by.RequireAdmin("deploy an appliance VM");
        ConnectedSite site;
        try
        {
            site = await clients.OpenAsync();
        }
        catch (ProxmoxNotConnectedException e)
        {
            await audit.RecordAsync(by.Actor, ProxmoxAuditActions.DeployFailed, $"{request.Name} on {request.Node}", $"not started: {e.Message}");
            return new DeployOutcome(new DeployResult { FailedStep = "connect", Error = e.Message }, null, null);
        }
        using (site)
        {
            // The workflow turns failures, timeouts and cancellation into results (and cleans up); this audits each of them.
            var result = await new ApplianceDeployer(site.Client, time).DeployAsync(request, progress, cancellationToken);
            var target = $"VM {result.VmId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} ({request.Name}) on {request.Node}";
            if (!result.Succeeded)
            {
                await audit.RecordAsync(by.Actor, ProxmoxAuditActions.DeployFailed, target, $"from template {request.TemplateVmId}: failed at {result.FailedStep}: {result.Error}");
                return new DeployOutcome(result, null, null);
            }
            await audit.RecordAsync(by.Actor, ProxmoxAuditActions.Deployed, target,
                $"from template {request.TemplateVmId}; net0 {request.ClientBridge}, net1 {request.PppoeBridge}; agent {result.AgentUrl} certificate {result.AgentFingerprint}");
            await store.SaveApplianceVmAsync(request.Node, result.VmId!.Value, request.PppoeBridge);

            try
            {
                var agent = await agents.AddAsync(request.Name, result.AgentUrl!, result.AgentFingerprint!, result.PairingToken!, time.GetUtcNow(), by.Actor.UserName);
                await audit.RecordAsync(by.Actor, AgentAuditActions.AgentPaired, $"{agent.Name} ({agent.Url})", $"certificate {agent.Fingerprint}; deployed as {target}");
                return new DeployOutcome(result, agent, null, dial is null ? null : await SetDialAddressAsync(by, agent, dial, cancellationToken));
            }
            catch (AgentPairingException e)
            {
                return new DeployOutcome(result, null, e.Message);
            }
        }
    }

    /// <summary>Null when set; else why not (the deploy itself stands: the Agents page can set it later).</summary>
    private async Task<string?> SetDialAddressAsync(PanelOperator by, PairedAgent agent, DialAddress address, CancellationToken cancellationToken)
    {
        try
        {
            await dialAddresses.SaveAsync(by, agent.Id, address, cancellationToken);
            return null;
        }
        catch (Exception e) when (e is Appliance.Contracts.AgentApiException or AgentNotPairedException or ArgumentException)
        {
            return e.Message;
        }
    }
}

using Appliance.Proxmox.Errors;
using Appliance.Proxmox.Models;
using Appliance.Proxmox.Tasks;

namespace Appliance.Proxmox.Workflows.Operations;

/// <summary>Power actions on the appliance VM.</summary>
public enum VmPowerAction
{
    /// <summary>Power on.</summary>
    Start,
    /// <summary>ACPI / guest agent shutdown.</summary>
    Shutdown,
    /// <summary>Shutdown and start, applying pending config.</summary>
    Reboot,
    /// <summary>Immediate power-off.</summary>
    Stop,
}

/// <summary>What the VM page shows at a glance.</summary>
/// <param name="Nodes">The cluster's nodes.</param>
/// <param name="Status">The VM's status (running/stopped, lock, uptime, memory).</param>
/// <param name="ConsoleUrl">The PVE GUI's noVNC console of the VM; the operator logs in to PVE there.</param>
public sealed record VmOverview(IReadOnlyList<NodeSummary> Nodes, VmStatus Status, Uri ConsoleUrl);

/// <summary>
/// The VM page's operations on the appliance VM: overview, graphs, and power actions whose tasks are awaited and
/// whose outcome comes back as one operator message (never an exception for a Proxmox refusal).
/// </summary>
public sealed class ApplianceVmOperations(ProxmoxClient client, TaskWaitOptions? powerWait = null)
{
    private readonly TaskWaitOptions _powerWait = powerWait ?? new TaskWaitOptions { Timeout = TimeSpan.FromMinutes(3) };

    /// <summary>Nodes, the VM's status and its console link.</summary>
    public async Task<VmOverview> GetOverviewAsync(string node, int vmId, CancellationToken cancellationToken = default)
    {
        var nodes = await client.GetNodesAsync(cancellationToken).ConfigureAwait(false);
        var status = await client.GetVmStatusAsync(node, vmId, cancellationToken).ConfigureAwait(false);
        return new VmOverview(nodes, status, client.BuildConsoleUrl(node, vmId, status.Name));
    }

    /// <summary>CPU, memory and network graphs over <paramref name="timeframe"/> (hour or day for the VM page).</summary>
    public async Task<VmCharts> GetChartsAsync(string node, int vmId, RrdTimeframe timeframe, CancellationToken cancellationToken = default)
        => VmCharts.From(timeframe, await client.GetVmRrdDataAsync(node, vmId, timeframe, RrdConsolidation.Average, cancellationToken).ConfigureAwait(false));

    /// <summary>Runs <paramref name="action"/> and waits for its task; says so when there was nothing to do.</summary>
    public async Task<OperatorMessage> PowerAsync(string node, int vmId, VmPowerAction action, CancellationToken cancellationToken = default)
    {
        try
        {
            var status = await client.GetVmStatusAsync(node, vmId, cancellationToken).ConfigureAwait(false);
            var name = status.Name is { Length: > 0 } n ? $"VM {vmId} ({n})" : $"VM {vmId}";
            if (status.Lock is { Length: > 0 } held)
                return new OperatorMessage(MessageLevel.Error, $"{name} is locked ({held}) by another task; wait for it under Datacenter → Tasks, then retry");
            if (action == VmPowerAction.Start && status.IsRunning)
                return new OperatorMessage(MessageLevel.Info, $"{name} is already running");
            if (action is VmPowerAction.Shutdown or VmPowerAction.Stop && !status.IsRunning)
                return new OperatorMessage(MessageLevel.Info, $"{name} is already stopped");

            var upid = action switch
            {
                VmPowerAction.Start => await client.StartVmAsync(node, vmId, cancellationToken).ConfigureAwait(false),
                VmPowerAction.Shutdown => await client.ShutdownVmAsync(node, vmId, cancellationToken: cancellationToken).ConfigureAwait(false),
                VmPowerAction.Reboot => await client.RebootVmAsync(node, vmId, cancellationToken).ConfigureAwait(false),
                _ => await client.StopVmAsync(node, vmId, cancellationToken).ConfigureAwait(false),
            };
            var result = await client.WaitForTaskAsync(upid, _powerWait, cancellationToken).ConfigureAwait(false);
            var done = action switch
            {
                VmPowerAction.Start => "started",
                VmPowerAction.Shutdown => "shut down",
                VmPowerAction.Reboot => "rebooted",
                _ => "stopped",
            };
            return result.Outcome switch
            {
                TaskOutcome.Succeeded => new OperatorMessage(MessageLevel.Success, $"{name} {done}"),
                TaskOutcome.SucceededWithWarnings => new OperatorMessage(MessageLevel.Warning,
                    $"{name} {done} with {result.WarningCount} warning(s): {string.Join(" | ", result.LogTail)}"),
                _ => new OperatorMessage(MessageLevel.Error, result.Error!.Message
                    + (action == VmPowerAction.Shutdown && result.Outcome == TaskOutcome.Failed ? "; if the guest ignores ACPI, use Stop" : "")),
            };
        }
        catch (ProxmoxException e)
        {
            return new OperatorMessage(MessageLevel.Error, e.Message);
        }
    }
}

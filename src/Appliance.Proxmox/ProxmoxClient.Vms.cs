using Appliance.Proxmox.Config;
using Appliance.Proxmox.Console;
using Appliance.Proxmox.Http;
using Appliance.Proxmox.Models;
using Appliance.Proxmox.Tasks;

namespace Appliance.Proxmox;

public sealed partial class ProxmoxClient
{
    /// <summary><c>GET /nodes/{node}/qemu</c>: VMs the token may audit.</summary>
    public async Task<IReadOnlyList<VmSummary>> GetVmsAsync(string node, CancellationToken cancellationToken = default)
    {
        var path = ApiPath.Of("nodes", node, "qemu");
        return Read<List<VmSummary>>(await _api.GetAsync(path, null, cancellationToken).ConfigureAwait(false), $"GET {path}");
    }

    /// <summary><c>GET …/status/current</c>.</summary>
    public async Task<VmStatus> GetVmStatusAsync(string node, int vmId, CancellationToken cancellationToken = default)
    {
        var path = ApiPath.Of("nodes", node, "qemu", vmId, "status", "current");
        return Read<VmStatus>(await _api.GetAsync(path, null, cancellationToken).ConfigureAwait(false), $"GET {path}");
    }

    /// <summary><c>GET …/config</c>; <paramref name="current"/> leaves out pending changes.</summary>
    public async Task<VmConfig> GetVmConfigAsync(string node, int vmId, bool current = false, CancellationToken cancellationToken = default)
    {
        var path = ApiPath.Of("nodes", node, "qemu", vmId, "config");
        var query = new ProxmoxParameters().Add("current", current ? true : null);
        return VmConfig.FromJson(await _api.GetAsync(path, query, cancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>POST …/config</c> (asynchronous, preferred): returns the task that applies the change.</summary>
    public async Task<Upid> SetVmConfigAsync(string node, int vmId, VmConfigChange change, CancellationToken cancellationToken = default)
    {
        var path = ApiPath.Of("nodes", node, "qemu", vmId, "config");
        return ReadUpid(await _api.PostAsync(path, change.ToParameters(), cancellationToken).ConfigureAwait(false), $"POST {path}");
    }

    /// <summary>
    /// <c>PUT …/config</c> (synchronous): only for quick option changes; anything that allocates storage or
    /// hot-plugs belongs in <see cref="SetVmConfigAsync"/>, or the request may hit pveproxy's 30 s limit.
    /// </summary>
    public async Task SetVmConfigNowAsync(string node, int vmId, VmConfigChange change, CancellationToken cancellationToken = default)
        => await _api.PutAsync(ApiPath.Of("nodes", node, "qemu", vmId, "config"), change.ToParameters(), cancellationToken).ConfigureAwait(false);

    /// <summary>Sets NIC <c>net{index}</c>, e.g. <c>virtio=MAC,bridge=vmbr1,firewall=0</c>.</summary>
    public Task<Upid> SetNetworkDeviceAsync(string node, int vmId, int index, NetworkDevice device, CancellationToken cancellationToken = default)
        => SetVmConfigAsync(node, vmId, new VmConfigChange().SetNetworkDevice(index, device), cancellationToken);

    /// <summary>Sets cloud-init user, SSH keys (percent-encoded as PVE requires) and addressing; effective at next start.</summary>
    public Task<Upid> SetCloudInitAsync(string node, int vmId, CloudInitSettings settings, CancellationToken cancellationToken = default)
        => SetVmConfigAsync(node, vmId, new VmConfigChange().SetCloudInit(settings), cancellationToken);

    /// <summary><c>POST …/status/start</c>.</summary>
    public Task<Upid> StartVmAsync(string node, int vmId, CancellationToken cancellationToken = default)
        => PowerAsync(node, vmId, "start", null, cancellationToken);

    /// <summary><c>POST …/status/shutdown</c> (ACPI or guest agent); <paramref name="forceStopAfterTimeout"/> powers off when the guest ignores it.</summary>
    public Task<Upid> ShutdownVmAsync(string node, int vmId, TimeSpan? timeout = null, bool? forceStopAfterTimeout = null, CancellationToken cancellationToken = default)
    {
        var parameters = new ProxmoxParameters()
            .Add("timeout", timeout is { } t ? (long)t.TotalSeconds : null)
            .Add("forceStop", forceStopAfterTimeout);
        return PowerAsync(node, vmId, "shutdown", parameters, cancellationToken);
    }

    /// <summary><c>POST …/status/reboot</c>: applies pending config.</summary>
    public Task<Upid> RebootVmAsync(string node, int vmId, CancellationToken cancellationToken = default)
        => PowerAsync(node, vmId, "reboot", null, cancellationToken);

    /// <summary><c>POST …/status/stop</c>: immediate power-off.</summary>
    public Task<Upid> StopVmAsync(string node, int vmId, CancellationToken cancellationToken = default)
        => PowerAsync(node, vmId, "stop", null, cancellationToken);

    private async Task<Upid> PowerAsync(string node, int vmId, string action, ProxmoxParameters? parameters, CancellationToken cancellationToken)
    {
        var path = ApiPath.Of("nodes", node, "qemu", vmId, "status", action);
        return ReadUpid(await _api.PostAsync(path, parameters, cancellationToken).ConfigureAwait(false), $"POST {path}");
    }

    /// <summary><c>GET …/rrddata?timeframe=…&amp;cf=…</c>: samples for the VM's graphs.</summary>
    public async Task<IReadOnlyList<RrdSample>> GetVmRrdDataAsync(string node, int vmId, RrdTimeframe timeframe = RrdTimeframe.Hour,
        RrdConsolidation consolidation = RrdConsolidation.Average, CancellationToken cancellationToken = default)
    {
        var path = ApiPath.Of("nodes", node, "qemu", vmId, "rrddata");
        var query = new ProxmoxParameters()
            .Add("timeframe", timeframe.ToString().ToLowerInvariant())
            .Add("cf", consolidation.ToString().ToUpperInvariant());
        var data = await _api.GetAsync(path, query, cancellationToken).ConfigureAwait(false);
        return data.ValueKind == System.Text.Json.JsonValueKind.Array ? data.EnumerateArray().Select(RrdSample.FromJson).ToList() : [];
    }

    /// <summary><c>POST …/clone</c>: the new VM is locked until the task ends; wait for it before changing the copy.</summary>
    public async Task<Upid> CloneVmAsync(string node, int vmId, VmCloneRequest clone, CancellationToken cancellationToken = default)
    {
        var path = ApiPath.Of("nodes", node, "qemu", vmId, "clone");
        var form = new ProxmoxParameters()
            .Add("newid", clone.NewVmId)
            .Add("name", clone.Name)
            .Add("full", clone.Full)
            .Add("storage", clone.Storage)
            .Add("target", clone.TargetNode)
            .Add("description", clone.Description);
        return ReadUpid(await _api.PostAsync(path, form, cancellationToken).ConfigureAwait(false), $"POST {path}");
    }

    /// <summary><c>POST …/template</c>: the VM must be stopped and have no snapshots.</summary>
    public async Task<Upid> ConvertToTemplateAsync(string node, int vmId, CancellationToken cancellationToken = default)
    {
        var path = ApiPath.Of("nodes", node, "qemu", vmId, "template");
        return ReadUpid(await _api.PostAsync(path, null, cancellationToken).ConfigureAwait(false), $"POST {path}");
    }

    /// <summary><c>POST /nodes/{node}/qemu</c>: creates the VM; disks may import uploaded images (<see cref="DiskImport"/>).</summary>
    public async Task<Upid> CreateVmAsync(string node, VmCreateRequest request, CancellationToken cancellationToken = default)
    {
        var path = ApiPath.Of("nodes", node, "qemu");
        var form = new ProxmoxParameters().Add("vmid", request.VmId).AddRange(request.Config.ToParameters()).Add("start", request.Start);
        return ReadUpid(await _api.PostAsync(path, form, cancellationToken).ConfigureAwait(false), $"POST {path}");
    }

    /// <summary>
    /// <c>DELETE /nodes/{node}/qemu/{vmid}</c>: destroys a stopped VM and its disks; <paramref name="purge"/> also removes
    /// it from backup jobs and HA. Returns the task.
    /// </summary>
    public async Task<Upid> DeleteVmAsync(string node, int vmId, bool purge = true, CancellationToken cancellationToken = default)
    {
        var path = ApiPath.Of("nodes", node, "qemu", vmId);
        var query = new ProxmoxParameters().Add("purge", purge ? true : null).Add("destroy-unreferenced-disks", true);
        return ReadUpid(await _api.SendAsync(HttpMethod.Delete, path, query, cancellationToken).ConfigureAwait(false), $"DELETE {path}");
    }

    /// <summary><c>GET …/firewall/options</c>.</summary>
    public async Task<VmFirewallOptions> GetVmFirewallOptionsAsync(string node, int vmId, CancellationToken cancellationToken = default)
    {
        var path = ApiPath.Of("nodes", node, "qemu", vmId, "firewall", "options");
        return Read<VmFirewallOptions>(await _api.GetAsync(path, null, cancellationToken).ConfigureAwait(false), $"GET {path}");
    }

    /// <summary><c>PUT …/firewall/options</c>: <c>enable</c> and <c>macfilter</c>; null leaves an option unchanged.</summary>
    public async Task SetVmFirewallOptionsAsync(string node, int vmId, bool? enable, bool? macFilter, CancellationToken cancellationToken = default)
    {
        var form = new ProxmoxParameters().Add("enable", enable).Add("macfilter", macFilter);
        await _api.PutAsync(ApiPath.Of("nodes", node, "qemu", vmId, "firewall", "options"), form, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The PVE web console URL for the VM (no API call; the operator logs in to PVE in that tab).</summary>
    public Uri BuildConsoleUrl(string node, int vmId, string? vmName = null, ConsoleViewer viewer = ConsoleViewer.NoVnc)
        => ConsoleLink.For(_connection.BaseUrl!, node, vmId, vmName, viewer);
}

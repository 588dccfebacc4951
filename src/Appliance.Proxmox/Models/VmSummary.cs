using System.Text.Json;
using System.Text.Json.Serialization;

namespace Appliance.Proxmox.Models;

/// <summary>One VM of <c>GET /nodes/{node}/qemu</c>, and the base of <see cref="VmStatus"/>.</summary>
public record VmSummary
{
    /// <summary>VMID.</summary>
    [JsonPropertyName("vmid")] public int VmId { get; init; }

    /// <summary>Name.</summary>
    [JsonPropertyName("name")] public string? Name { get; init; }

    /// <summary><c>running</c> or <c>stopped</c>.</summary>
    [JsonPropertyName("status")] public string Status { get; init; } = "";

    /// <summary>QEMU's own state: running, paused, prelaunch, …</summary>
    [JsonPropertyName("qmpstatus")] public string? QmpStatus { get; init; }

    /// <summary>Lock held (clone, backup, create, migrate, …).</summary>
    [JsonPropertyName("lock")] public string? Lock { get; init; }

    /// <summary>Uptime, seconds.</summary>
    [JsonPropertyName("uptime")] public long? Uptime { get; init; }

    /// <summary>CPU usage fraction of its vCPUs.</summary>
    [JsonPropertyName("cpu")] public double? Cpu { get; init; }

    /// <summary>vCPUs.</summary>
    [JsonPropertyName("cpus")] public double? Cpus { get; init; }

    /// <summary>Used memory, bytes.</summary>
    [JsonPropertyName("mem")] public long? Memory { get; init; }

    /// <summary>Configured memory, bytes.</summary>
    [JsonPropertyName("maxmem")] public long? MaxMemory { get; init; }

    /// <summary>Boot disk size, bytes.</summary>
    [JsonPropertyName("maxdisk")] public long? MaxDisk { get; init; }

    /// <summary>Received bytes since start.</summary>
    [JsonPropertyName("netin")] public long? NetIn { get; init; }

    /// <summary>Sent bytes since start.</summary>
    [JsonPropertyName("netout")] public long? NetOut { get; init; }

    /// <summary>Tags, <c>;</c>-separated.</summary>
    [JsonPropertyName("tags")] public string? Tags { get; init; }

    /// <summary>True for templates.</summary>
    [JsonPropertyName("template")] public bool? Template { get; init; }

    /// <summary>True when the VM is running.</summary>
    public bool IsRunning => Status == "running";
}

/// <summary><c>GET /nodes/{node}/qemu/{vmid}/status/current</c>.</summary>
public sealed record VmStatus : VmSummary
{
    /// <summary>Guest agent enabled in the config (not: running in the guest).</summary>
    [JsonPropertyName("agent")] public bool? AgentEnabled { get; init; }

    /// <summary>HA state.</summary>
    [JsonPropertyName("ha")] public JsonElement Ha { get; init; }

    /// <summary>Machine type QEMU runs with.</summary>
    [JsonPropertyName("running-machine")] public string? RunningMachine { get; init; }

    /// <summary>QEMU version it runs with.</summary>
    [JsonPropertyName("running-qemu")] public string? RunningQemu { get; init; }
}

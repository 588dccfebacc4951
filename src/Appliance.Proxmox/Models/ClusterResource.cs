using System.Text.Json.Serialization;

namespace Appliance.Proxmox.Models;

/// <summary>One entry of <c>GET /cluster/resources</c> (VMs, nodes, storages, SDN; only what the token may see).</summary>
public sealed record ClusterResource
{
    /// <summary>Resource id, e.g. <c>qemu/100</c>, <c>node/pve</c>, <c>storage/pve/local</c>.</summary>
    [JsonPropertyName("id")] public string Id { get; init; } = "";

    /// <summary><c>qemu</c>, <c>lxc</c>, <c>node</c>, <c>storage</c>, <c>pool</c>, <c>sdn</c>, …</summary>
    [JsonPropertyName("type")] public string Type { get; init; } = "";

    /// <summary>Node the resource lives on.</summary>
    [JsonPropertyName("node")] public string? Node { get; init; }

    /// <summary>Status (running, stopped, online, available, …).</summary>
    [JsonPropertyName("status")] public string? Status { get; init; }

    /// <summary>Guest name.</summary>
    [JsonPropertyName("name")] public string? Name { get; init; }

    /// <summary>Guest id.</summary>
    [JsonPropertyName("vmid")] public int? VmId { get; init; }

    /// <summary>True for templates.</summary>
    [JsonPropertyName("template")] public bool? Template { get; init; }

    /// <summary>Lock held (clone, backup, create, …).</summary>
    [JsonPropertyName("lock")] public string? Lock { get; init; }

    /// <summary>Storage id.</summary>
    [JsonPropertyName("storage")] public string? Storage { get; init; }

    /// <summary>Storage content types.</summary>
    [JsonPropertyName("content")] public string? Content { get; init; }

    /// <summary>CPU usage fraction.</summary>
    [JsonPropertyName("cpu")] public double? Cpu { get; init; }

    /// <summary>Used memory, bytes.</summary>
    [JsonPropertyName("mem")] public long? Memory { get; init; }

    /// <summary>Total memory, bytes.</summary>
    [JsonPropertyName("maxmem")] public long? MaxMemory { get; init; }

    /// <summary>Used disk, bytes.</summary>
    [JsonPropertyName("disk")] public long? Disk { get; init; }

    /// <summary>Disk size, bytes.</summary>
    [JsonPropertyName("maxdisk")] public long? MaxDisk { get; init; }

    /// <summary>Tags, <c>;</c>-separated.</summary>
    [JsonPropertyName("tags")] public string? Tags { get; init; }
}

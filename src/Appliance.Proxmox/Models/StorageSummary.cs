using System.Text.Json.Serialization;

namespace Appliance.Proxmox.Models;

/// <summary>One storage of <c>GET /nodes/{node}/storage</c>.</summary>
public sealed record StorageSummary
{
    /// <summary>Storage id.</summary>
    [JsonPropertyName("storage")] public string Storage { get; init; } = "";

    /// <summary>Plugin type (dir, lvmthin, zfspool, …).</summary>
    [JsonPropertyName("type")] public string Type { get; init; } = "";

    /// <summary>Content types, comma-separated.</summary>
    [JsonPropertyName("content")] public string Content { get; init; } = "";

    /// <summary>Active on this node.</summary>
    [JsonPropertyName("active")] public bool? Active { get; init; }

    /// <summary>Enabled in storage.cfg.</summary>
    [JsonPropertyName("enabled")] public bool? Enabled { get; init; }

    /// <summary>Shared between nodes.</summary>
    [JsonPropertyName("shared")] public bool? Shared { get; init; }

    /// <summary>Size, bytes.</summary>
    [JsonPropertyName("total")] public long? Total { get; init; }

    /// <summary>Used, bytes.</summary>
    [JsonPropertyName("used")] public long? Used { get; init; }

    /// <summary>Available, bytes.</summary>
    [JsonPropertyName("avail")] public long? Available { get; init; }

    /// <summary>Content types as a list.</summary>
    public IReadOnlyList<string> ContentTypes => Content.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>True when <paramref name="content"/> (e.g. <c>import</c>) is enabled here.</summary>
    public bool Holds(string content) => ContentTypes.Contains(content, StringComparer.Ordinal);
}

/// <summary>One volume of <c>GET …/storage/{storage}/content</c>.</summary>
public sealed record StorageVolume
{
    /// <summary>Volume id, e.g. <c>local:import/appliance.qcow2</c>.</summary>
    [JsonPropertyName("volid")] public string VolumeId { get; init; } = "";

    /// <summary>Format (qcow2, raw, iso, …).</summary>
    [JsonPropertyName("format")] public string Format { get; init; } = "";

    /// <summary>Size, bytes.</summary>
    [JsonPropertyName("size")] public long Size { get; init; }

    /// <summary>Creation time, Unix seconds.</summary>
    [JsonPropertyName("ctime")] public long? CreatedUnix { get; init; }

    /// <summary>Owning VMID.</summary>
    [JsonPropertyName("vmid")] public int? VmId { get; init; }

    /// <summary>Notes.</summary>
    [JsonPropertyName("notes")] public string? Notes { get; init; }
}

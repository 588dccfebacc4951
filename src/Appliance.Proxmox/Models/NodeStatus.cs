using System.Text.Json;
using System.Text.Json.Serialization;

namespace Appliance.Proxmox.Models;

/// <summary><c>GET /nodes/{node}/status</c>.</summary>
public sealed record NodeStatus
{
    /// <summary>CPU usage fraction.</summary>
    [JsonPropertyName("cpu")] public double Cpu { get; init; }

    /// <summary>Uptime, seconds.</summary>
    [JsonPropertyName("uptime")] public long? Uptime { get; init; }

    /// <summary>pve-manager version string.</summary>
    [JsonPropertyName("pveversion")] public string PveVersion { get; init; } = "";

    /// <summary>Load averages (1, 5, 15 min).</summary>
    [JsonPropertyName("loadavg")] public IReadOnlyList<string> LoadAverage { get; init; } = [];

    /// <summary>Memory totals.</summary>
    [JsonPropertyName("memory")] public ByteUsage Memory { get; init; } = new();

    /// <summary>Root file system totals (uploads spool to /var/tmp on it).</summary>
    [JsonPropertyName("rootfs")] public ByteUsage RootFileSystem { get; init; } = new();

    /// <summary>CPU model and counts.</summary>
    [JsonPropertyName("cpuinfo")] public JsonElement CpuInfo { get; init; }

    /// <summary>Everything else PVE reports.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }
}

/// <summary>Byte totals as PVE reports them for memory and file systems.</summary>
public sealed record ByteUsage
{
    /// <summary>Total bytes.</summary>
    [JsonPropertyName("total")] public long Total { get; init; }

    /// <summary>Used bytes.</summary>
    [JsonPropertyName("used")] public long Used { get; init; }

    /// <summary>Free bytes.</summary>
    [JsonPropertyName("free")] public long? Free { get; init; }

    /// <summary>Available bytes (file systems).</summary>
    [JsonPropertyName("avail")] public long? Available { get; init; }
}

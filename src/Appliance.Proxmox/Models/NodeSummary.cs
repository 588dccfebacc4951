using System.Text.Json.Serialization;

namespace Appliance.Proxmox.Models;

/// <summary>One entry of <c>GET /nodes</c>.</summary>
public sealed record NodeSummary
{
    /// <summary>Node name.</summary>
    [JsonPropertyName("node")] public string Node { get; init; } = "";

    /// <summary><c>online</c>, <c>offline</c> or <c>unknown</c>.</summary>
    [JsonPropertyName("status")] public string Status { get; init; } = "";

    /// <summary>SHA-256 fingerprint of the certificate pveproxy serves on that node.</summary>
    [JsonPropertyName("ssl_fingerprint")] public string? SslFingerprint { get; init; }

    /// <summary>CPU usage fraction (needs Sys.Audit).</summary>
    [JsonPropertyName("cpu")] public double? Cpu { get; init; }

    /// <summary>CPU count.</summary>
    [JsonPropertyName("maxcpu")] public int? MaxCpu { get; init; }

    /// <summary>Used memory, bytes.</summary>
    [JsonPropertyName("mem")] public long? Memory { get; init; }

    /// <summary>Total memory, bytes.</summary>
    [JsonPropertyName("maxmem")] public long? MaxMemory { get; init; }

    /// <summary>Uptime, seconds.</summary>
    [JsonPropertyName("uptime")] public long? Uptime { get; init; }
}

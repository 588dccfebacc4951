using System.Text.Json.Serialization;

namespace Appliance.Proxmox.Models;

/// <summary><c>GET /version</c>: pve-manager version; pick the privilege list by <see cref="Release"/> (9.x has no VM.Monitor).</summary>
public sealed record PveVersion
{
    /// <summary>Full pve-manager version, e.g. <c>9.1.2</c>.</summary>
    [JsonPropertyName("version")] public string Version { get; init; } = "";

    /// <summary>Major.minor release, e.g. <c>9.1</c>.</summary>
    [JsonPropertyName("release")] public string Release { get; init; } = "";

    /// <summary>Git commit of the build.</summary>
    [JsonPropertyName("repoid")] public string RepoId { get; init; } = "";

    /// <summary>Default console viewer of the datacenter, if set.</summary>
    [JsonPropertyName("console")] public string? Console { get; init; }

    /// <summary>Major version number, 0 when unreadable.</summary>
    public int Major => int.TryParse(Release.Split('.')[0], out var major) ? major : 0;
}

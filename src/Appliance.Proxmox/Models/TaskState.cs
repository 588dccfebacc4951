using System.Text.Json.Serialization;

namespace Appliance.Proxmox.Models;

/// <summary><c>GET /nodes/{node}/tasks/{upid}/status</c>.</summary>
public sealed record TaskState
{
    /// <summary>The task id.</summary>
    [JsonPropertyName("upid")] public string Upid { get; init; } = "";

    /// <summary>Node.</summary>
    [JsonPropertyName("node")] public string Node { get; init; } = "";

    /// <summary><c>running</c> or <c>stopped</c>.</summary>
    [JsonPropertyName("status")] public string Status { get; init; } = "";

    /// <summary><c>OK</c>, <c>WARNINGS: n</c> or the error text; only once stopped.</summary>
    [JsonPropertyName("exitstatus")] public string? ExitStatus { get; init; }

    /// <summary>Task type.</summary>
    [JsonPropertyName("type")] public string Type { get; init; } = "";

    /// <summary>Object id.</summary>
    [JsonPropertyName("id")] public string Id { get; init; } = "";

    /// <summary>Who started it.</summary>
    [JsonPropertyName("user")] public string User { get; init; } = "";

    /// <summary>Start, Unix seconds.</summary>
    [JsonPropertyName("starttime")] public long StartTimeUnix { get; init; }

    /// <summary>True once the task ended.</summary>
    public bool IsStopped => Status == "stopped";
}

/// <summary>One line of <c>GET /nodes/{node}/tasks/{upid}/log</c>.</summary>
public sealed record TaskLogLine
{
    /// <summary>Line number.</summary>
    [JsonPropertyName("n")] public int Number { get; init; }

    /// <summary>Text.</summary>
    [JsonPropertyName("t")] public string Text { get; init; } = "";
}

namespace Appliance.Proxmox.Tasks;

/// <summary>How <c>WaitForTaskAsync</c> polls: interval, per-job deadline, and how much log to keep.</summary>
public sealed record TaskWaitOptions
{
    /// <summary>Delay between status polls (the brief suggests 1–2 s).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Give up waiting after this long; the task keeps running on the node. Start/stop: seconds, clone/import: minutes.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How many of the last log lines to keep for warnings and failures.</summary>
    public int LogTailLines { get; init; } = 20;

    /// <summary>Defaults suited to power actions.</summary>
    public static TaskWaitOptions Default { get; } = new();
}

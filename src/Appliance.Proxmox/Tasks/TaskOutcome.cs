namespace Appliance.Proxmox.Tasks;

/// <summary>How a waited-for task ended.</summary>
public enum TaskOutcome
{
    /// <summary>Exit status <c>OK</c>.</summary>
    Succeeded,
    /// <summary>Exit status <c>WARNINGS: n</c>: finished; the log says what to look at.</summary>
    SucceededWithWarnings,
    /// <summary>Any other exit status: the error text.</summary>
    Failed,
    /// <summary>Still running when the deadline passed.</summary>
    TimedOut,
}

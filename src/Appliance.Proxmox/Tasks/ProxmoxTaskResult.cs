using System.Globalization;
using Appliance.Proxmox.Errors;

namespace Appliance.Proxmox.Tasks;

/// <summary>The end of a PVE task as a value: outcome, exit status and the last log lines.</summary>
public sealed record ProxmoxTaskResult(Upid Upid, TaskOutcome Outcome, string ExitStatus, IReadOnlyList<string> LogTail)
{
    /// <summary>True for <c>OK</c> and <c>WARNINGS: n</c>.</summary>
    public bool Succeeded => Outcome is TaskOutcome.Succeeded or TaskOutcome.SucceededWithWarnings;

    /// <summary>The <c>n</c> of <c>WARNINGS: n</c>, else 0.</summary>
    public int WarningCount
        => ExitStatus.StartsWith("WARNINGS:", StringComparison.Ordinal)
           && int.TryParse(ExitStatus.AsSpan("WARNINGS:".Length).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;

    /// <summary>The failure for the operator, or null when the task succeeded.</summary>
    public ProxmoxError? Error => Outcome switch
    {
        TaskOutcome.Failed => new ProxmoxError(ProxmoxErrorKind.TaskFailed,
            $"Proxmox task {Upid.Type} on {Upid.Node}{IdText} failed: {ExitStatus}{LogText}; see Datacenter → Tasks for the full log",
            $"task {Upid.Value}", 0, ExitStatus),
        TaskOutcome.TimedOut => new ProxmoxError(ProxmoxErrorKind.TaskFailed,
            $"Proxmox task {Upid.Type} on {Upid.Node}{IdText} was still running when the panel stopped waiting; it continues on the node — " +
            "check Datacenter → Tasks before retrying, and do not change the VM until it ends",
            $"task {Upid.Value}", 0, ExitStatus),
        _ => null,
    };

    /// <summary>Throws <see cref="ProxmoxException"/> unless the task succeeded (warnings count as success).</summary>
    public ProxmoxTaskResult EnsureSucceeded()
        => Error is { } error ? throw new ProxmoxException(error) : this;

    private string IdText => Upid.Id.Length > 0 ? $" for {Upid.Id}" : "";

    private string LogText => LogTail.Count == 0 ? "" : "; last log lines: " + string.Join(" | ", LogTail);
}

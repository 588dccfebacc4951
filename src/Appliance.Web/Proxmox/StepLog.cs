using Appliance.Proxmox.Workflows;

namespace Appliance.Web.Proxmox;

/// <summary>
/// The steps of a running workflow as a page lists them: one line per step id, in the order steps began, each showing its
/// latest report. Reports arrive from the workflow's thread; <see cref="Changed"/> tells the page to render again.
/// </summary>
public sealed class StepLog : IProgress<WorkflowStep>
{
    private readonly List<WorkflowStep> _steps = [];

    /// <summary>Raised after every report (on the reporting thread).</summary>
    public event Action? Changed;

    /// <summary>The steps so far, a snapshot.</summary>
    public IReadOnlyList<WorkflowStep> Steps
    {
        get
        {
            lock (_steps)
                return _steps.ToList();
        }
    }

    public void Report(WorkflowStep value)
    {
        lock (_steps)
        {
            int index = _steps.FindIndex(s => s.Id == value.Id);
            if (index >= 0)
                _steps[index] = value;
            else
                _steps.Add(value);
        }
        Changed?.Invoke();
    }
}

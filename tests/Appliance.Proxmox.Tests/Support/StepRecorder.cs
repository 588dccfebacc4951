using Appliance.Proxmox.Workflows;

namespace Appliance.Proxmox.Tests.Support;

/// <summary>Records progress reports synchronously, in order (Progress&lt;T&gt; would post them to the thread pool).</summary>
public sealed class StepRecorder : IProgress<WorkflowStep>
{
    private readonly List<WorkflowStep> _steps = [];

    /// <summary>The reports so far.</summary>
    public IReadOnlyList<WorkflowStep> Steps { get { lock (_steps) return _steps.ToList(); } }

    /// <summary>Ids of the steps that succeeded, in order.</summary>
    public IReadOnlyList<string> Succeeded => Steps.Where(s => s.State is StepState.Succeeded or StepState.SucceededWithWarnings).Select(s => s.Id).ToList();

    /// <inheritdoc />
    public void Report(WorkflowStep value) { lock (_steps) _steps.Add(value); }
}

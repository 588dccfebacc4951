namespace Appliance.Proxmox.Workflows;

/// <summary>How a step of a workflow stands.</summary>
public enum StepState
{
    /// <summary>Begun.</summary>
    Started,
    /// <summary>Still waiting (e.g. for the guest agent); reported again while it waits.</summary>
    Waiting,
    /// <summary>Done.</summary>
    Succeeded,
    /// <summary>Done, with warnings the operator should read.</summary>
    SucceededWithWarnings,
    /// <summary>Failed; the workflow stops here.</summary>
    Failed,
}

/// <summary>One progress report of a workflow, for a page to show as a list of steps.</summary>
/// <param name="Id">Stable step id, e.g. <c>clone</c>, <c>wait-guest-agent</c>.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Message">What happens, in operator words; never a secret.</param>
public sealed record WorkflowStep(string Id, StepState State, string Message);

/// <summary>How serious an <see cref="OperatorMessage"/> is.</summary>
public enum MessageLevel
{
    /// <summary>Nothing needed doing.</summary>
    Info,
    /// <summary>Done.</summary>
    Success,
    /// <summary>Done, but read this.</summary>
    Warning,
    /// <summary>Failed.</summary>
    Error,
}

/// <summary>The outcome of an operator action as a page shows it.</summary>
public sealed record OperatorMessage(MessageLevel Level, string Text)
{
    /// <summary>True unless <see cref="Level"/> is <see cref="MessageLevel.Error"/>.</summary>
    public bool Succeeded => Level != MessageLevel.Error;
}

using Appliance.Proxmox.Errors;
using Appliance.Proxmox.Tasks;

namespace Appliance.Proxmox.Workflows;

/// <summary>A workflow step failed; <see cref="Exception.Message"/> is the operator message.</summary>
internal sealed class StepFailedException(string stepId, string message, Exception? inner = null) : Exception(message, inner)
{
    public string StepId { get; } = stepId;
}

/// <summary>Reports steps, awaits tasks and polls on the injected clock for the deploy and import workflows.</summary>
internal sealed class StepRunner(ProxmoxClient client, TimeProvider time, IProgress<WorkflowStep>? progress)
{
    /// <summary>The step begun last and not yet ended, or null: the one a cancellation stops.</summary>
    public string? Current { get; private set; }

    public void Report(string id, StepState state, string message)
    {
        Current = state is StepState.Started or StepState.Waiting ? id : null;
        progress?.Report(new WorkflowStep(id, state, message));
    }

    /// <summary>Marks the running step failed because the operator cancelled; returns its id (or <paramref name="fallback"/>).</summary>
    public string Cancelled(string fallback)
    {
        var id = Current ?? fallback;
        Report(id, StepState.Failed, "cancelled");
        return id;
    }

    /// <summary>Runs <paramref name="start"/>, waits for its task and reports the step; a failed task fails the step.</summary>
    public async Task RunTaskAsync(string id, string doing, string done, Func<Task<Upid>> start, TaskWaitOptions wait, CancellationToken cancellationToken)
    {
        Report(id, StepState.Started, doing);
        ProxmoxTaskResult result;
        try
        {
            var upid = await start().ConfigureAwait(false);
            result = await client.WaitForTaskAsync(upid, wait, cancellationToken).ConfigureAwait(false);
        }
        catch (ProxmoxException e)
        {
            throw Fail(id, e.Message, e);
        }
        if (result.Error is { } error)
            throw Fail(id, error.Message);
        Report(id, result.Outcome == TaskOutcome.SucceededWithWarnings ? StepState.SucceededWithWarnings : StepState.Succeeded,
            result.Outcome == TaskOutcome.SucceededWithWarnings ? $"{done} ({result.WarningCount} warning(s): {string.Join(" | ", result.LogTail)})" : done);
    }

    /// <summary>Runs a call that returns at once; a Proxmox refusal fails the step.</summary>
    public async Task<T> RunAsync<T>(string id, string doing, Func<Task<T>> call, Func<T, string> done)
    {
        Report(id, StepState.Started, doing);
        try
        {
            var value = await call().ConfigureAwait(false);
            Report(id, StepState.Succeeded, done(value));
            return value;
        }
        catch (ProxmoxException e)
        {
            throw Fail(id, e.Message, e);
        }
    }

    /// <summary>
    /// Calls <paramref name="attempt"/> every <paramref name="interval"/> until it returns a value or <paramref name="timeout"/>
    /// passes. A 500 from Proxmox (guest agent not running yet, file not there yet) counts as "not yet"; any other refusal fails at once.
    /// </summary>
    public async Task<T> PollAsync<T>(string id, string waiting, Func<Task<T?>> attempt, Func<T, string> done, TimeSpan timeout, TimeSpan interval,
        Func<string?, string> timedOut, CancellationToken cancellationToken) where T : class
    {
        Report(id, StepState.Started, waiting);
        var deadline = time.GetUtcNow() + timeout;
        string? last = null;
        while (true)
        {
            try
            {
                if (await attempt().ConfigureAwait(false) is { } value)
                {
                    Report(id, StepState.Succeeded, done(value));
                    return value;
                }
            }
            catch (ProxmoxException e) when (e.Error.Kind == ProxmoxErrorKind.ServerFailure)
            {
                last = e.Error.Reason;
            }
            catch (ProxmoxException e)
            {
                throw Fail(id, e.Message, e);
            }
            if (time.GetUtcNow() >= deadline)
                throw Fail(id, timedOut(last));
            Report(id, StepState.Waiting, waiting);
            await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    public StepFailedException Fail(string id, string message, Exception? inner = null)
    {
        Report(id, StepState.Failed, message);
        return new StepFailedException(id, message, inner);
    }
}

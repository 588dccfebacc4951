using Appliance.Contracts;
using Appliance.Tunnel.Capture;
using Appliance.Tunnel.Switching;

namespace Appliance.Agent.Captures;

/// <summary>One capture: the engine's <see cref="PortCapture"/>, its file and what the API says about it.</summary>
public sealed class CaptureEntry(string id, string sessionId, string? clientName, DateTimeOffset startedAt, string path, PortCapture capture, SwitchPort port,
    bool holdsCredentials, TimeProvider time)
{
    public const string SessionClosed = "session-closed";

    private readonly Lock _gate = new();
    private string? _stopReason;
    private DateTimeOffset? _stoppedAt;

    public string Id => id;
    public string SessionId => sessionId;
    public DateTimeOffset StartedAt => startedAt;
    public string Path => path;
    public SwitchPort Port => port;
    public bool IsRunning => capture.State == CaptureState.Recording;
    public long MaxBytes => capture.Options.MaxFileBytes;
    public long FileBytes => capture.FileBytes;

    /// <summary>Waits until the file is flushed and closed (after a stop).</summary>
    public Task Completion => capture.Completion;

    /// <summary>Records when the engine's own bounds stop the capture (the moment its file is complete). Call once.</summary>
    public void WatchEngineStop() =>
        capture.Completion.ContinueWith(_ => StoppedNow(time.GetUtcNow()), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>Stops with a reason of the agent's (requested, session-closed); the engine's own bounds set theirs.</summary>
    public void Stop(string reason, DateTimeOffset now)
    {
        if (!IsRunning)
            return;
        Volatile.Write(ref _stopReason, reason);
        StoppedNow(now);
        capture.Stop();
    }

    public CaptureDto ToDto(DateTimeOffset now)
    {
        bool running = IsRunning;
        string? reason = running ? null : Volatile.Read(ref _stopReason) ?? EngineReason(capture.StopReason);
        string state = running ? "running" : capture.StopReason == CaptureStopReason.OutputFailed ? "failed" : "stopped";
        DateTimeOffset? stoppedAt;
        lock (_gate)
            stoppedAt = _stoppedAt;
        return new CaptureDto(id, sessionId, clientName, startedAt, running ? null : stoppedAt ?? now, state, reason,
            capture.FramesCaptured, capture.FramesLost, capture.FileBytes, holdsCredentials);
    }

    /// <summary>Keeps the first stop time (a requested stop, else the engine's).</summary>
    private void StoppedNow(DateTimeOffset now)
    {
        lock (_gate)
            _stoppedAt ??= now;
    }

    private static string EngineReason(CaptureStopReason reason) => reason switch
    {
        CaptureStopReason.SizeLimit => "max-bytes",
        CaptureStopReason.TimeLimit => "max-duration",
        CaptureStopReason.FrameLimit => "max-frames",
        CaptureStopReason.OutputFailed => "failed",
        _ => "requested",
    };
}

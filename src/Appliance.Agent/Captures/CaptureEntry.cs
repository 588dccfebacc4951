using Appliance.Contracts;
using Appliance.Tunnel.Capture;
using Appliance.Tunnel.Switching;

namespace Appliance.Agent.Captures;

/// <summary>One capture: the engine's <see cref="PortCapture"/>, its file and what the API says about it.</summary>
public sealed class CaptureEntry(string id, string sessionId, string? clientName, DateTimeOffset startedAt, string path, PortCapture capture, SwitchPort port, bool holdsCredentials)
{
    public const string SessionClosed = "session-closed";

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

    /// <summary>Stops with a reason of the agent's (requested, session-closed); the engine's own bounds set theirs.</summary>
    public void Stop(string reason, DateTimeOffset now)
    {
        if (!IsRunning)
            return;
        Volatile.Write(ref _stopReason, reason);
        _stoppedAt = now;
        capture.Stop();
    }

    /// <summary>Waits until the file is flushed and closed (after a stop).</summary>
    public Task Completion => capture.Completion;

    public CaptureDto ToDto(DateTimeOffset now)
    {
        bool running = IsRunning;
        string? reason = running ? null : Volatile.Read(ref _stopReason) ?? EngineReason(capture.StopReason);
        if (!running && _stoppedAt is null)
            _stoppedAt = now;
        string state = running ? "running" : capture.StopReason == CaptureStopReason.OutputFailed ? "failed" : "stopped";
        return new CaptureDto(id, sessionId, clientName, startedAt, running ? null : _stoppedAt, state, reason,
            capture.FramesCaptured, capture.FramesLost, capture.FileBytes, holdsCredentials);
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

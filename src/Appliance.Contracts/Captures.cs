namespace Appliance.Contracts;

/// <summary>Start a capture of one session's frames (both directions) into a pcapng file on the agent.</summary>
/// <param name="MaxSeconds">Stop after this long (1..604800; default 600).</param>
/// <param name="MaxBytes">Stop when the file reaches this size (4096..1073741824; default 64 MiB).</param>
/// <param name="MaxFrames">Stop after this many frames (default: no bound).</param>
/// <param name="RedactCredentials">Blank PAP passwords and CHAP responses in the captured copy (default true). False keeps them: the file then holds PPP credentials.</param>
public sealed record CaptureRequest(int? MaxSeconds = null, long? MaxBytes = null, long? MaxFrames = null, bool RedactCredentials = true);

/// <param name="State">"running", "stopped" or "failed".</param>
/// <param name="StopReason">"requested", "max-bytes", "max-duration", "max-frames", "session-closed", "failed" or null while running.</param>
/// <param name="HoldsCredentials">True when the capture was taken without redaction: warn before handing it on.</param>
public sealed record CaptureDto(
    string Id,
    string SessionId,
    string? ClientName,
    DateTimeOffset StartedAt,
    DateTimeOffset? StoppedAt,
    string State,
    string? StopReason,
    long Frames,
    long FramesLost,
    long FileBytes,
    bool HoldsCredentials);

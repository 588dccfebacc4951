namespace Appliance.Tunnel.Capture;

/// <summary>Bounds and privacy of one port capture. Immutable; checked by <see cref="Validate"/> before a capture starts.</summary>
public sealed record CaptureOptions
{
    /// <summary>Largest the file may grow, headers included; the frame that would pass it is not written.</summary>
    public long MaxFileBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>How long the capture records, from its start by the injected clock.</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Most frames to record; null for no frame bound (the size and time bounds still apply).</summary>
    public long? MaxFrames { get; init; }

    /// <summary>Bytes kept of each frame; longer frames are cut, their original length is still written.</summary>
    /// <remarks>2048 keeps every frame the switch accepts by default (1522 bytes with QinQ) whole.</remarks>
    public int SnapLength { get; init; } = 2048;

    /// <summary>Frames that may wait for the writer; beyond this a frame is counted lost, never waited for.</summary>
    /// <remarks>Memory held is <see cref="BufferFrames"/> × <see cref="SnapLength"/> bytes (2 MiB by default).</remarks>
    public int BufferFrames { get; init; } = 1024;

    /// <summary>When true (the default), PAP and CHAP names, passwords and hash values are zeroed in the file.</summary>
    public bool RedactCredentials { get; init; } = true;

    /// <summary>Smallest <see cref="MaxFileBytes"/>: the headers and one full-size frame.</summary>
    public const long MinFileBytes = 4096;

    /// <summary>Longest <see cref="MaxDuration"/>: a capture is a diagnostic; this keeps the limit timer and nanosecond arithmetic far from their ranges.</summary>
    public static readonly TimeSpan MaxMaxDuration = TimeSpan.FromDays(7);

    /// <summary>Every problem with these settings, or none.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxFileBytes < MinFileBytes)
            errors.Add($"MaxFileBytes: {MaxFileBytes} is below {MinFileBytes}; a capture must hold its headers and at least one frame");
        if (MaxDuration <= TimeSpan.Zero || MaxDuration > MaxMaxDuration)
            errors.Add($"MaxDuration: {MaxDuration} is outside 0 (exclusive)..{MaxMaxDuration.TotalDays} days");
        if (MaxFrames is < 1)
            errors.Add($"MaxFrames: {MaxFrames} must be at least 1, or null for no frame bound");
        if (SnapLength is < 14 or > 65535)
            errors.Add($"SnapLength: {SnapLength} is outside 14..65535 (an Ethernet header up to the pcapng maximum)");
        if (BufferFrames is < 1 or > 1 << 20)
            errors.Add($"BufferFrames: {BufferFrames} is outside 1..1048576");
        return errors;
    }

    internal void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
            throw new ArgumentException("invalid capture options: " + string.Join("; ", errors));
    }
}

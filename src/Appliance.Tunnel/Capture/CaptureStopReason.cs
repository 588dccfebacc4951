namespace Appliance.Tunnel.Capture;

/// <summary>Why a capture stopped recording.</summary>
public enum CaptureStopReason : byte
{
    /// <summary>Still recording.</summary>
    None = 0,
    /// <summary>The next frame would have made the file larger than <see cref="CaptureOptions.MaxFileBytes"/>.</summary>
    SizeLimit,
    /// <summary><see cref="CaptureOptions.MaxDuration"/> passed since the capture started.</summary>
    TimeLimit,
    /// <summary><see cref="CaptureOptions.MaxFrames"/> frames were recorded.</summary>
    FrameLimit,
    /// <summary>Stopped by its owner (<see cref="PortCapture.Stop"/> or dispose).</summary>
    Stopped,
    /// <summary>Writing the file failed (disk full, stream closed); <see cref="PortCapture.Failure"/> holds the error.</summary>
    OutputFailed,
}

/// <summary>Life cycle of a capture.</summary>
public enum CaptureState : byte
{
    /// <summary>Taking frames.</summary>
    Recording = 0,
    /// <summary>Takes no more frames; the writer is still putting buffered frames into the file.</summary>
    Stopping,
    /// <summary>Every buffered frame is written (or counted lost) and the file is flushed and closed.</summary>
    Stopped,
}

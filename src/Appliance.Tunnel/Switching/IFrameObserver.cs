using Appliance.Tunnel.Frames;

namespace Appliance.Tunnel.Switching;

/// <summary>Watches the frames of one port with the classification the switch already made (a PPPoE session tracker).</summary>
/// <remarks>
/// Called on the data path, inline in <see cref="EthernetSwitch.Forward"/>: it must not block, throw or allocate.
/// Inbound calls come from the port's own ingress thread; outbound calls from whichever port's ingress thread
/// delivered the frame, so an observer may be called from two threads at once.
/// </remarks>
public interface IFrameObserver
{
    /// <param name="frame">The frame's bytes, valid only during the call.</param>
    /// <param name="info">What <see cref="FrameClassifier"/> read from it.</param>
    /// <param name="direction">Inbound: every frame the port's device handed to the switch, drops included.
    /// Outbound: frames the port's device accepted.</param>
    /// <param name="timestamp">The switch's <see cref="TimeProvider"/> timestamp, up to
    /// <see cref="EthernetSwitch.ClockResolution"/> stale.</param>
    void OnFrame(ReadOnlySpan<byte> frame, in FrameClass info, FrameDirection direction, long timestamp);
}

using Appliance.Tunnel.Frames;

namespace Appliance.Tunnel.Switching;

/// <summary>Takes frames from a port's device before the switch forwards them (see <see cref="SwitchPort.Interceptor"/>).</summary>
/// <remarks>Called on the data path, on the port's ingress thread: must not block, throw or allocate.</remarks>
public interface IFrameInterceptor
{
    /// <summary>True to take the frame: it is then neither observed nor forwarded.</summary>
    /// <param name="frame">The frame's bytes, valid only during the call.</param>
    bool TryTake(ReadOnlySpan<byte> frame, in FrameClass info);
}

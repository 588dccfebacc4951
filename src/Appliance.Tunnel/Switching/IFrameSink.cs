using Appliance.Tunnel.Counters;

namespace Appliance.Tunnel.Switching;

/// <summary>Where a switch port delivers frames: a device writer, a tunnel session's encryptor, a test double.</summary>
public interface IFrameSink
{
    /// <summary>Hands one frame on. The span is only valid during the call: copy it to keep it.</summary>
    /// <returns>False with a reason when the frame could not be taken (queue full, device error, closed).</returns>
    bool TrySend(ReadOnlySpan<byte> frame, out DropReason reason);
}

namespace Appliance.Tunnel.Switching;

/// <summary>Direction of a frame as seen from the port's own device.</summary>
public enum FrameDirection : byte
{
    /// <summary>Received from the port's device (a client's frame on a session port).</summary>
    Inbound = 1,
    /// <summary>Sent to the port's device.</summary>
    Outbound = 2,
}

/// <summary>Observes every frame a port receives and sends (a capture). Called on the data path: must not block.</summary>
public interface IPortTap
{
    void OnFrame(ReadOnlySpan<byte> frame, FrameDirection direction);
}

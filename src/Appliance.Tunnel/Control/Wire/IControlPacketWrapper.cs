namespace Appliance.Tunnel.Control.Wire;

/// <summary>
/// Adds and removes a control-channel wrap (tls-crypt, tls-auth). "Plain" is the <see cref="ControlPacket"/>
/// layout: <c>op ‖ session id ‖ reliable part</c>; "wire" is what travels in the datagram.
/// </summary>
/// <remarks>
/// Implementations hold one hash / cipher instance per direction and are not thread-safe: a wrapper
/// belongs to one session (or to the one listener thread that answers first packets). Wrap and unwrap
/// may run on different threads only if each side is used by a single thread.
/// The replay id is returned, not checked: check it with <see cref="Replay.WrapReplayProtection"/> after <see cref="UnwrapResult.Ok"/>.
/// </remarks>
public interface IControlPacketWrapper : IDisposable
{
    /// <summary>Wire length minus plain length.</summary>
    int Overhead { get; }

    /// <summary>Wraps <paramref name="plain"/> (at least opcode + session id) into <paramref name="wire"/>, which must not overlap it.</summary>
    bool TryWrap(ReadOnlySpan<byte> plain, WrapReplayId replayId, Span<byte> wire, out int written);

    /// <summary>Authenticates <paramref name="wire"/> and writes its plain layout to <paramref name="plain"/> (no overlap). Never throws on wire input.</summary>
    UnwrapResult Unwrap(ReadOnlySpan<byte> wire, Span<byte> plain, out int plainLength, out WrapReplayId replayId);
}

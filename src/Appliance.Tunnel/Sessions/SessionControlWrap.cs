using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Replay;
using Appliance.Tunnel.Transport;

namespace Appliance.Tunnel.Sessions;

/// <summary>A session's control-channel wrap (tls-crypt, tls-auth, or a tls-crypt-v2 client key): one wrapper per
/// direction, the replay window of what it receives and the replay counter of what it sends.</summary>
/// <remarks>Receive runs on the session's receive thread only; sends from key-state loops are serialised by a lock.</remarks>
internal sealed class SessionControlWrap
{
    private readonly IControlPacketWrapper _send;
    private readonly IControlPacketWrapper _receive;
    private readonly WrapReplayProtection _receiveReplay;
    private readonly Lock _sendLock = new();
    private readonly byte[] _sendPlain = new byte[2048];
    private readonly byte[] _sendWire = new byte[2048 + IPeerLink.Headroom];
    private readonly byte[] _receivePlain = new byte[2048];
    private readonly uint _wrapTime;
    private uint _wrapCounter;

    /// <param name="create">Makes one wrapper; called twice (send, receive).</param>
    /// <param name="firstCounter">Replay counters already used toward the client (a stateless answer used 1).</param>
    public SessionControlWrap(Func<IControlPacketWrapper> create, TimeProvider time, uint firstCounter = 0)
    {
        _send = create();
        _receive = create();
        _receiveReplay = new WrapReplayProtection(time);
        _wrapTime = (uint)time.GetUtcNow().ToUnixTimeSeconds();
        _wrapCounter = firstCounter;
    }

    /// <summary>Unwraps and replay-checks one control packet; on success <paramref name="plain"/> is valid until the next call.</summary>
    public DropReason? Receive(ReadOnlySpan<byte> wire, out ReadOnlySpan<byte> plain)
    {
        plain = default;
        var unwrap = _receive.Unwrap(wire, _receivePlain, out int length, out var replayId);
        if (unwrap != UnwrapResult.Ok)
            return UnwrapResults.ToDropReason(unwrap);
        if (_receiveReplay.TryAccept(replayId) != ReplayCheck.Accepted)
            return DropReason.Replay;
        plain = _receivePlain.AsSpan(0, length);
        return null;
    }

    /// <summary>Marks a replay id the server already accepted for this session (its opening packets).</summary>
    public void AcceptOpening(WrapReplayId replayId) => _receiveReplay.TryAccept(replayId);

    /// <summary>Builds, wraps and sends one control packet; false if it could not be built or sent.</summary>
    public bool Send(IPeerLink link, Opcode opcode, int keyId, ulong sessionId, ReadOnlySpan<uint> acks, ulong peerSessionId,
        uint messageId, ReadOnlySpan<byte> payload)
    {
        lock (_sendLock)
        {
            if (!ControlPacket.TryWrite(_sendPlain, opcode, keyId, sessionId, acks, peerSessionId, messageId, payload, out int plainLength))
                return false;
            var replayId = new WrapReplayId(++_wrapCounter, _wrapTime);
            var wire = _sendWire.AsSpan(IPeerLink.Headroom);
            if (!_send.TryWrap(_sendPlain.AsSpan(0, plainLength), replayId, wire, out int wireLength))
                return false;
            return link.Send(_sendWire, IPeerLink.Headroom, wireLength);
        }
    }

    /// <summary>Frees both wrappers; the session calls it once, as it closes.</summary>
    public void Close()
    {
        lock (_sendLock)
            _send.Dispose();
        _receive.Dispose();
    }
}

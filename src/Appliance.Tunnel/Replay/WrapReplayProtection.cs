using Appliance.Tunnel.Control.Wire;

namespace Appliance.Tunnel.Replay;

/// <summary>
/// Replay protection for the 8-byte (counter, time) id of tls-crypt / tls-auth packets, as 2.6 does it:
/// a newer sender time starts a new window, an older one is refused, the same time goes through the
/// <see cref="ReplayWindow"/>.
/// </summary>
/// <remarks>Not thread-safe: owned by one session's control receive path; call only after the wrap authenticated.</remarks>
public sealed class WrapReplayProtection
{
    private readonly ReplayWindow _window;
    private uint _senderTime;
    private bool _started;

    public WrapReplayProtection(TimeProvider? timeProvider = null, TimeSpan? timeBacktrack = null)
    {
        _window = new ReplayWindow(timeProvider, timeBacktrack);
    }

    /// <summary>The state to carry into another process: the sender's time, and the window (null before the first id).</summary>
    public (uint SenderTime, uint Highest, ulong Seen)? Export() =>
        _started ? (_senderTime, _window.Export().Highest, _window.Export().Seen) : null;

    /// <summary>Takes over the state exported by <see cref="Export"/>.</summary>
    public void Restore(uint senderTime, uint highest, ulong seen)
    {
        _senderTime = senderTime;
        _started = true;
        _window.Restore(highest, seen);
    }

    /// <summary>Checks and, when accepted, records <paramref name="id"/>.</summary>
    public ReplayCheck TryAccept(WrapReplayId id)
    {
        if (id.Counter == 0)
        {
            return ReplayCheck.ZeroId;
        }
        if (_started && id.Time < _senderTime)
        {
            return ReplayCheck.OlderSenderTime;
        }
        if (!_started || id.Time > _senderTime)
        {
            // 2.6 (packet_id_add): a newer sender time starts a fresh sequence.
            _window.Reset();
            _senderTime = id.Time;
            _started = true;
        }
        return _window.TryAccept(id.Counter);
    }
}

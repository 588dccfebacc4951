using Appliance.Tunnel.RateLimit;

namespace Appliance.Tunnel.Sessions;

/// <summary>Handshakes in progress, in total and per source slot (<see cref="SourceLimiter.SlotOf(System.Net.IPAddress)"/>):
/// a bound of their own, apart from authenticated sessions, so unauthenticated work can never take a live client's place.</summary>
internal sealed class HalfOpenCount(int max, int maxPerSource)
{
    private readonly int[] _perSlot = new int[SourceLimiter.Slots];
    private readonly Lock _lock = new();
    private int _total;

    public int Total => Volatile.Read(ref _total);

    public bool TryReserve(int slot)
    {
        lock (_lock)
        {
            if (_total >= max || _perSlot[slot] >= maxPerSource)
                return false;
            _total++;
            _perSlot[slot]++;
            return true;
        }
    }

    public void Release(int slot)
    {
        lock (_lock)
        {
            if (_perSlot[slot] > 0)
            {
                _perSlot[slot]--;
                _total--;
            }
        }
    }
}

namespace Appliance.Tunnel.RateLimit;

/// <summary>A token bucket: <c>rate</c> tokens a second, at most <c>burst</c> saved. Thread-safe and allocation-free.</summary>
/// <remarks>Guards only packets without a session (resets, garbage), never a live session's data, so a short lock is fine.</remarks>
public sealed class TokenBucket
{
    private readonly TimeProvider _time;
    private readonly double _ratePerTick;
    private readonly double _burst;
    private readonly Lock _lock = new();
    private double _tokens;
    private long _stamp;

    public TokenBucket(double ratePerSecond, double burst, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _time = time ?? TimeProvider.System;
        _ratePerTick = ratePerSecond / _time.TimestampFrequency;
        _burst = burst;
        _tokens = burst;
        _stamp = _time.GetTimestamp();
    }

    /// <summary>Takes one token if there is one.</summary>
    public bool TryTake()
    {
        long now = _time.GetTimestamp();
        lock (_lock)
        {
            if (now > _stamp)
            {
                _tokens = Math.Min(_burst, _tokens + (now - _stamp) * _ratePerTick);
                _stamp = now;
            }
            if (_tokens < 1)
                return false;
            _tokens -= 1;
            return true;
        }
    }
}

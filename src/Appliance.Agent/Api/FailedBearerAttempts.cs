namespace Appliance.Agent.Api;

/// <summary>
/// Counts wrong bearer tokens per client address in fixed one-minute windows; an address past <see cref="Limit"/> is
/// refused (429) without its tokens being checked until its window ends. Tokens are 256-bit random, so this is not what
/// keeps them secret: it keeps a scanner from filling the logs and the audit file. Thread-safe.
/// </summary>
public sealed class FailedBearerAttempts(TimeProvider time)
{
    /// <summary>Wrong tokens allowed per address per window.</summary>
    public const int Limit = 60;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    // Bounded: beyond this many addresses the oldest windows are dropped first (they have ended or will soon).
    private const int MaxAddresses = 10_000;

    private readonly Dictionary<string, (DateTimeOffset Start, int Failures)> _byAddress = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>When the address may try again, or null when it may now.</summary>
    public DateTimeOffset? BlockedUntil(string address)
    {
        lock (_gate)
        {
            if (!_byAddress.TryGetValue(address, out var entry))
                return null;
            var end = entry.Start + Window;
            if (time.GetUtcNow() >= end)
            {
                _byAddress.Remove(address);
                return null;
            }
            return entry.Failures >= Limit ? end : null;
        }
    }

    public void RecordFailure(string address)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (!_byAddress.TryGetValue(address, out var entry) || now >= entry.Start + Window)
                entry = (now, 0);
            _byAddress[address] = (entry.Start, entry.Failures + 1);
            if (_byAddress.Count > MaxAddresses)
                Prune(now);
        }
    }

    private void Prune(DateTimeOffset now)
    {
        var ended = new List<string>();
        foreach (var (address, entry) in _byAddress)
        {
            if (now >= entry.Start + Window)
                ended.Add(address);
        }
        foreach (string address in ended)
            _byAddress.Remove(address);
        if (_byAddress.Count > MaxAddresses)
            _byAddress.Clear();
    }
}

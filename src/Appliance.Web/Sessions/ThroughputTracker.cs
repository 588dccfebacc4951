using Appliance.Contracts;

namespace Appliance.Web.Sessions;

/// <summary>
/// Turns successive session updates into per-session throughput, and keeps a bounded series of it per session for the
/// live chart. Not thread-safe: owned by one agent's feed.
/// </summary>
public sealed class ThroughputTracker(int seriesLength = 120)
{
    private readonly Dictionary<string, (DateTimeOffset At, long In, long Out)> _last = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<RatePoint>> _series = new(StringComparer.Ordinal);

    public IReadOnlyList<LiveSession> Apply(SessionsUpdateDto update)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<LiveSession>(update.Sessions.Count);
        foreach (var session in update.Sessions)
        {
            seen.Add(session.Id);
            long bytesIn = session.In?.Bytes ?? 0, bytesOut = session.Out?.Bytes ?? 0;
            Throughput? rate = _last.TryGetValue(session.Id, out var before)
                ? Throughput.Between(before.At, before.In, before.Out, update.TakenAt, bytesIn, bytesOut)
                : null;
            _last[session.Id] = (update.TakenAt, bytesIn, bytesOut);
            if (rate is { } r)
            {
                if (!_series.TryGetValue(session.Id, out var points))
                    _series[session.Id] = points = new Queue<RatePoint>();
                points.Enqueue(new RatePoint(update.TakenAt, r.BitsPerSecondIn, r.BitsPerSecondOut));
                while (points.Count > seriesLength)
                    points.Dequeue();
            }
            result.Add(new LiveSession(session, rate));
        }
        foreach (var gone in _last.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _last.Remove(gone);
            _series.Remove(gone);
        }
        return result;
    }

    public IReadOnlyList<RatePoint> Series(string sessionId) =>
        _series.TryGetValue(sessionId, out var points) ? points.ToArray() : [];
}

namespace Appliance.Tunnel.Diagnostics;

/// <summary>Turns <see cref="TimeProvider"/> timestamps recorded on the data path into wall-clock times, once per snapshot.</summary>
internal readonly struct SnapshotClock
{
    /// <summary>Marks a moment that has not happened; frames never carry it.</summary>
    public const long Never = long.MinValue;

    private readonly TimeProvider _time;
    private readonly long _nowTimestamp;

    public SnapshotClock(TimeProvider time)
    {
        _time = time;
        _nowTimestamp = time.GetTimestamp();
        Now = time.GetUtcNow();
    }

    public DateTimeOffset Now { get; }

    public DateTimeOffset? At(long timestamp) =>
        timestamp == Never ? null : Now - _time.GetElapsedTime(timestamp, _nowTimestamp);
}

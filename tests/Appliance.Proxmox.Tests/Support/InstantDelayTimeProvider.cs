namespace Appliance.Proxmox.Tests.Support;

/// <summary>
/// Virtual time where short waits (poll delays up to <see cref="InstantLimit"/>) elapse at once and advance the clock,
/// while long timers (request deadlines) stay pending. Records every short delay asked for.
/// </summary>
public sealed class InstantDelayTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<TimeSpan> _delays = [];
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Timers due within this fire immediately.</summary>
    public TimeSpan InstantLimit { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The short delays asked for, in order.</summary>
    public IReadOnlyList<TimeSpan> Delays { get { lock (_gate) return _delays.ToList(); } }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() { lock (_gate) return _now; }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new InstantTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private bool Elapse(TimeSpan due)
    {
        if (due == Timeout.InfiniteTimeSpan || due > InstantLimit)
            return false;
        lock (_gate)
        {
            _now += due;
            _delays.Add(due);
        }
        return true;
    }

    private sealed class InstantTimer(InstantDelayTimeProvider time, TimerCallback callback, object? state) : ITimer
    {
        private int _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (Volatile.Read(ref _disposed) == 0 && time.Elapse(dueTime))
                ThreadPool.QueueUserWorkItem(_ => { if (Volatile.Read(ref _disposed) == 0) callback(state); });
            return true;
        }

        public void Dispose() => Interlocked.Exchange(ref _disposed, 1);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

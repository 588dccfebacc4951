using System.Collections.Concurrent;
using Appliance.Contracts;
using Appliance.Web.Agents;

namespace Appliance.Web.Sessions;

/// <summary>
/// Live sessions of each paired agent, shared by every circuit: one stream per agent, opened when the first page
/// subscribes and closed when the last one leaves. A broken stream is re-opened with backoff (1 s doubling to 30 s); while
/// it is down, subscribers get a view naming the problem.
/// </summary>
public sealed partial class LiveSessions(AgentConnections connections, TimeProvider time, ILogger<LiveSessions> log) : IDisposable
{
    private readonly AgentConnections _connections = connections;
    private readonly TimeProvider _time = time;
    private readonly ILogger _log = log;

    internal static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<long, Feed> _feeds = new();
    private readonly Lock _gate = new();

    /// <summary>The newest view of an agent (empty until the stream delivered).</summary>
    public LiveSessionsView Current(long agentId) => _feeds.TryGetValue(agentId, out var feed) ? feed.View : LiveSessionsView.Empty(agentId);

    /// <summary>The recent throughput of a session (for the live chart).</summary>
    public IReadOnlyList<RatePoint> Series(long agentId, string sessionId) =>
        _feeds.TryGetValue(agentId, out var feed) ? feed.Series(sessionId) : [];

    /// <summary>
    /// A snapshot to render before the stream delivers: the feed's view when it has one, else one request to the agent.
    /// Never throws for an agent that is down: the view carries the problem.
    /// </summary>
    public async Task<LiveSessionsView> SnapshotAsync(long agentId, CancellationToken ct = default)
    {
        var current = Current(agentId);
        if (current.TakenAt is not null || current.IsDown)
            return current;
        try
        {
            var agent = await _connections.GetAsync(agentId);
            var sessions = await agent.GetSessionsAsync(ct);
            return new LiveSessionsView(agentId, _time.GetUtcNow(), sessions.Select(s => new LiveSession(s, null)).ToList(), null, null, null);
        }
        catch (Exception e) when (e is AgentApiException or AgentNotPairedException)
        {
            return new LiveSessionsView(agentId, null, [], null, e.Message, _time.GetUtcNow());
        }
    }

    /// <summary>Calls <paramref name="changed"/> with every new view (on a background thread) until the subscription is disposed.</summary>
    public IDisposable Subscribe(long agentId, Action<LiveSessionsView> changed)
    {
        lock (_gate)
        {
            var feed = _feeds.GetOrAdd(agentId, id => new Feed(this, id));
            feed.Add(changed);
            return new Subscription(this, feed, changed);
        }
    }

    public void Dispose()
    {
        foreach (var feed in _feeds.Values)
            feed.Dispose();
        _feeds.Clear();
    }

    private void Unsubscribe(Feed feed, Action<LiveSessionsView> changed)
    {
        lock (_gate)
        {
            if (feed.Remove(changed) == 0)
            {
                _feeds.TryRemove(new KeyValuePair<long, Feed>(feed.AgentId, feed));
                feed.Dispose();
            }
        }
    }

    private sealed class Subscription(LiveSessions owner, Feed feed, Action<LiveSessionsView> changed) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                owner.Unsubscribe(feed, changed);
        }
    }

    /// <summary>One agent's stream and its subscribers.</summary>
    private sealed class Feed : IDisposable
    {
        private readonly LiveSessions _owner;
        private readonly List<Action<LiveSessionsView>> _subscribers = [];
        private readonly ThroughputTracker _tracker = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Lock _lock = new();
        private bool _started;

        public Feed(LiveSessions owner, long agentId)
        {
            _owner = owner;
            AgentId = agentId;
            View = LiveSessionsView.Empty(agentId);
        }

        public long AgentId { get; }

        public LiveSessionsView View { get; private set; }

        public IReadOnlyList<RatePoint> Series(string sessionId)
        {
            lock (_lock)
                return _tracker.Series(sessionId);
        }

        public void Add(Action<LiveSessionsView> changed)
        {
            lock (_lock)
            {
                _subscribers.Add(changed);
                if (_started)
                    return;
                _started = true;
            }
            _ = Task.Run(() => RunAsync(_stop.Token));
        }

        public int Remove(Action<LiveSessionsView> changed)
        {
            lock (_lock)
            {
                _subscribers.Remove(changed);
                return _subscribers.Count;
            }
        }

        public void Stop()
        {
            if (!_stop.IsCancellationRequested)
                _stop.Cancel();
        }

        public void Dispose()
        {
            Stop();
            _stop.Dispose();
        }

        private async Task RunAsync(CancellationToken ct)
        {
            var retry = FirstRetry;
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    var agent = await _owner._connections.GetAsync(AgentId);
                    await foreach (var update in agent.StreamSessionsAsync(ct: ct))
                    {
                        IReadOnlyList<LiveSession> sessions;
                        lock (_lock)
                            sessions = _tracker.Apply(update);
                        Publish(new LiveSessionsView(AgentId, update.TakenAt, sessions, update.Uplink, null, null));
                        retry = FirstRetry;
                    }
                    if (!ct.IsCancellationRequested)
                        Down("the agent ended the live stream (restarting?)");
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is AgentApiException or AgentNotPairedException or HttpRequestException or IOException)
                {
                    Down(e is AgentApiException or AgentNotPairedException ? e.Message : $"the live stream broke ({e.Message})");
                }
                catch (Exception e)
                {
                    LogFeedFailed(_owner._log, AgentId, e);
                    Down($"the live stream failed ({e.GetType().Name}); retrying");
                }
                try
                {
                    await Task.Delay(retry, _owner._time, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LongestRetry.Ticks));
            }
        }

        private void Down(string problem)
        {
            var since = View.ProblemSince ?? _owner._time.GetUtcNow();
            Publish(View with { Problem = problem, ProblemSince = since });
        }

        private void Publish(LiveSessionsView view)
        {
            Action<LiveSessionsView>[] subscribers;
            lock (_lock)
            {
                View = view;
                subscribers = [.. _subscribers];
            }
            foreach (var subscriber in subscribers)
            {
                try
                {
                    subscriber(view);
                }
                catch (Exception e)
                {
                    LogSubscriberFailed(_owner._log, AgentId, e);
                }
            }
        }
    }

    [LoggerMessage(EventId = 5201, Level = LogLevel.Error, Message = "the live sessions feed of agent {AgentId} failed unexpectedly")]
    private static partial void LogFeedFailed(ILogger logger, long agentId, Exception exception);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Warning, Message = "a subscriber of agent {AgentId}'s live sessions threw")]
    private static partial void LogSubscriberFailed(ILogger logger, long agentId, Exception exception);
}

using System.Runtime.Versioning;
using Appliance.Agent.Api;
using Appliance.Contracts;
using Appliance.Tunnel.Sessions;
using Appliance.Tunnel.Switching;

namespace Appliance.Agent.Tunnel;

/// <summary>
/// The last view of each ended session (counters, PPPoE view, findings), so an operator can still read why a session went
/// wrong after it was kicked or dropped. Bounded: the newest <see cref="PerClient"/> of each client, at most
/// <see cref="MaxClients"/> clients (the client whose last session ended longest ago goes first); in memory only.
/// </summary>
/// <remarks>
/// <see cref="TunnelHost"/> calls <see cref="Remember(TunnelSession, string?)"/> from the engine's session-closed event, with
/// the session's close reason. A session remembered twice is kept once. Sessions that never authenticated (no client name)
/// are not kept.
/// </remarks>
[SupportedOSPlatform("linux")]
internal sealed class EndedSessions
{
    public const int DefaultPerClient = 5; // AgentOptions.EndedSessionsPerClient's default too
    public const int MaxClients = 1024;

    private readonly Lock _gate = new();
    // Per client, newest last; the dictionary's own order is not relied on.
    private readonly Dictionary<string, List<EndedSessionDto>> _byClient = new(StringComparer.Ordinal);
    private readonly Func<TunnelSession, SessionDto>? _view;
    private readonly TimeProvider _time;

    public EndedSessions(EthernetSwitch sw, Uplink uplink, AgentOptions options, TimeProvider time)
        : this(options.EndedSessionsPerClient, time, session => SessionViews.From(session, sw, uplink.Port))
    {
    }

    /// <summary>For tests: <paramref name="view"/> turns a session into its last view.</summary>
    internal EndedSessions(int perClient, TimeProvider time, Func<TunnelSession, SessionDto>? view = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perClient, 1);
        PerClient = perClient;
        _time = time;
        _view = view;
    }

    /// <summary>How many ended sessions are kept per client (the retention setting).</summary>
    public int PerClient { get; }

    /// <summary>Keeps the ended <paramref name="session"/>'s last view; <paramref name="reason"/> is the engine's close reason when known.</summary>
    public void Remember(TunnelSession session, string? reason = null)
    {
        if (session.CommonName is null || _view is null)
            return;
        Remember(_view(session), reason);
    }

    /// <summary>Keeps a session's last view (already taken).</summary>
    public void Remember(SessionDto last, string? reason)
    {
        if (last.CommonName is not { } client)
            return;
        var ended = new EndedSessionDto(last, _time.GetUtcNow(), reason);
        lock (_gate)
        {
            if (!_byClient.TryGetValue(client, out var list))
            {
                if (_byClient.Count >= MaxClients)
                    ForgetLeastRecentClient();
                _byClient[client] = list = new List<EndedSessionDto>(PerClient);
            }
            foreach (var kept in list)
            {
                if (kept.Last.Id == last.Id)
                    return;
            }
            if (list.Count == PerClient)
                list.RemoveAt(0);
            list.Add(ended);
        }
    }

    /// <summary>The kept sessions, newest first; only <paramref name="client"/>'s when given.</summary>
    public List<EndedSessionDto> Snapshot(string? client = null)
    {
        var result = new List<EndedSessionDto>();
        lock (_gate)
        {
            foreach (var (name, list) in _byClient)
            {
                if (client is null || name == client)
                    result.AddRange(list);
            }
        }
        result.Sort((a, b) => b.EndedAt.CompareTo(a.EndedAt));
        return result;
    }

    private void ForgetLeastRecentClient()
    {
        string? oldest = null;
        DateTimeOffset oldestAt = DateTimeOffset.MaxValue;
        foreach (var (name, list) in _byClient)
        {
            var newest = list[^1].EndedAt;
            if (newest < oldestAt)
                (oldest, oldestAt) = (name, newest);
        }
        if (oldest is not null)
            _byClient.Remove(oldest);
    }
}

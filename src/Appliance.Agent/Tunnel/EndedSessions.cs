using System.Runtime.Versioning;
using Appliance.Agent.Api;
using Appliance.Agent.Captures;
using Appliance.Agent.Config;
using Appliance.Contracts;
using Appliance.Tunnel.Sessions;
using Appliance.Tunnel.Switching;

namespace Appliance.Agent.Tunnel;

/// <summary>
/// The last view of each ended session (counters, PPPoE view, findings, the last size probe), so an operator can still read why a
/// session went wrong after it was kicked or dropped. Bounded: the newest <see cref="PerClient"/> of each client (the config's
/// <c>tunnel.endedSessionsPerClient</c>, read at each change), at most <see cref="MaxClients"/> clients (the client whose last session
/// ended longest ago goes first); in memory only.
/// </summary>
/// <remarks>
/// <see cref="TunnelHost"/> calls <see cref="Remember(TunnelSession, string?)"/> from the engine's session-closed event, with
/// the session's close reason. A session remembered twice is kept once. Sessions that never authenticated (no client name)
/// are not kept. A session forgotten by the retention takes its finished captures with it (<see cref="CaptureStore.ForgetSession"/>).
/// </remarks>
[SupportedOSPlatform("linux")]
internal sealed class EndedSessions
{
    public const int DefaultPerClient = 5; // TunnelConfigDto.EndedSessionsPerClient's default too
    public const int MaxClients = 1024;
    /// <summary>The most live sessions whose last probe result waits for their end.</summary>
    public const int MaxPendingProbes = 4096;

    private readonly Lock _gate = new();
    // Per client, newest last; the dictionary's own order is not relied on.
    private readonly Dictionary<string, List<EndedSessionDto>> _byClient = new(StringComparer.Ordinal);
    // The last probe of each live session, taken into its ended view when it ends.
    private readonly Dictionary<string, FrameSizeProbeDto> _probes = new(StringComparer.Ordinal);
    private readonly Func<TunnelSession, SessionDto>? _view;
    private readonly Func<int> _perClient;
    private readonly Action<string>? _forget;
    private readonly TimeProvider _time;

    public EndedSessions(EthernetSwitch sw, Uplink uplink, LiveConfig config, CaptureStore captures, TimeProvider time)
        : this(() => config.Current.Tunnel.EndedSessionsPerClient, time, session => SessionViews.From(session, sw, uplink.Port), captures.ForgetSession)
    {
    }

    /// <summary>For tests: <paramref name="view"/> turns a session into its last view; <paramref name="forget"/> hears of each session forgotten.</summary>
    internal EndedSessions(int perClient, TimeProvider time, Func<TunnelSession, SessionDto>? view = null, Action<string>? forget = null)
        : this(() => perClient, time, view, forget)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perClient, 1);
    }

    internal EndedSessions(Func<int> perClient, TimeProvider time, Func<TunnelSession, SessionDto>? view, Action<string>? forget)
    {
        _perClient = perClient;
        _time = time;
        _view = view;
        _forget = forget;
    }

    /// <summary>How many ended sessions are kept per client now (the retention setting).</summary>
    public int PerClient => Math.Clamp(_perClient(), 1, AgentConfigValidator.MaxEndedSessionsPerClient);

    /// <summary>Keeps the ended <paramref name="session"/>'s last view; <paramref name="reason"/> is the engine's close reason when known.</summary>
    public void Remember(TunnelSession session, string? reason = null)
    {
        if (_view is null)
            return;
        if (session.CommonName is null)
        {
            lock (_gate)
                _probes.Remove(session.Name);
            return;
        }
        Remember(_view(session), reason);
    }

    /// <summary>Keeps a session's last view (already taken), with the last probe of it if one ran.</summary>
    public void Remember(SessionDto last, string? reason)
    {
        var forgotten = new List<string>();
        lock (_gate)
        {
            _probes.Remove(last.Id, out var probe);
            if (last.CommonName is not { } client)
                return;
            if (!_byClient.TryGetValue(client, out var list))
            {
                if (_byClient.Count >= MaxClients)
                    ForgetLeastRecentClient(forgotten);
                _byClient[client] = list = new List<EndedSessionDto>();
            }
            foreach (var kept in list)
            {
                if (kept.Last.Id == last.Id)
                    return;
            }
            list.Add(new EndedSessionDto(last, _time.GetUtcNow(), reason, probe));
            TrimList(list, PerClient, forgotten);
        }
        Forget(forgotten);
    }

    /// <summary>Notes the result of a probe of a live session: its ended view will show the last one (also when the session ended
    /// while the probe ran).</summary>
    public void RememberProbe(FrameSizeProbeDto probe)
    {
        lock (_gate)
        {
            foreach (var list in _byClient.Values)
            {
                int at = list.FindIndex(kept => kept.Last.Id == probe.SessionId);
                if (at >= 0)
                {
                    list[at] = list[at] with { Probe = probe };
                    return;
                }
            }
            if (_probes.Count >= MaxPendingProbes && !_probes.ContainsKey(probe.SessionId))
                _probes.Remove(_probes.Keys.First());
            _probes[probe.SessionId] = probe;
        }
    }

    /// <summary>Forgets what a lower retention no longer keeps (after a config change).</summary>
    public void Trim()
    {
        var forgotten = new List<string>();
        lock (_gate)
        {
            int perClient = PerClient;
            foreach (var list in _byClient.Values)
                TrimList(list, perClient, forgotten);
        }
        Forget(forgotten);
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

    /// <summary>The kept session with this id, or null (never ended, or forgotten).</summary>
    public EndedSessionDto? Find(string sessionId)
    {
        lock (_gate)
        {
            foreach (var list in _byClient.Values)
            {
                foreach (var kept in list)
                {
                    if (string.Equals(kept.Last.Id, sessionId, StringComparison.OrdinalIgnoreCase))
                        return kept;
                }
            }
        }
        return null;
    }

    private static void TrimList(List<EndedSessionDto> list, int perClient, List<string> forgotten)
    {
        while (list.Count > perClient)
        {
            forgotten.Add(list[0].Last.Id);
            list.RemoveAt(0);
        }
    }

    private void ForgetLeastRecentClient(List<string> forgotten)
    {
        string? oldest = null;
        DateTimeOffset oldestAt = DateTimeOffset.MaxValue;
        foreach (var (name, list) in _byClient)
        {
            var newest = list[^1].EndedAt;
            if (newest < oldestAt)
                (oldest, oldestAt) = (name, newest);
        }
        if (oldest is not null && _byClient.Remove(oldest, out var gone))
        {
            foreach (var kept in gone)
                forgotten.Add(kept.Last.Id);
        }
    }

    /// <summary>Outside the lock: the captures' files go with their sessions.</summary>
    private void Forget(List<string> forgotten)
    {
        if (_forget is null)
            return;
        foreach (string id in forgotten)
            _forget(id);
    }
}

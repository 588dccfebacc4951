using System.Runtime.Versioning;
using Appliance.Tunnel.Sessions;

namespace Appliance.Agent.Tunnel;

/// <summary>
/// Once a second, hands every session that left the tunnel server's list to <see cref="EndedSessions"/> (the session object
/// still holds its tracker and counters). Stands in for the engine's session-closed event, which makes it redundant.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class EndedSessionWatcher(TunnelHost tunnel, EndedSessions ended, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var previous = new HashSet<TunnelSession>(ReferenceEqualityComparer.Instance);
        var current = new HashSet<TunnelSession>(ReferenceEqualityComparer.Instance);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                current.Clear();
                if (tunnel.Server is { } server)
                {
                    foreach (var session in server.Sessions)
                        current.Add(session);
                }
                foreach (var session in previous)
                {
                    if (!current.Contains(session))
                        ended.Remember(session);
                }
                (previous, current) = (current, previous);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}

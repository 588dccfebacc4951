using Appliance.Tunnel.Sessions;

namespace Appliance.Agent.Handover;

/// <summary>
/// The agent's restart and upgrade without a drop. At start it holds what the previous process handed over (already
/// checked: <see cref="Incoming"/>, <see cref="CarriedState"/>); the tunnel and the uplink take their fds from it, and
/// whatever nobody took is closed once the agent has started (<see cref="FinishIntake"/>). At stop the tunnel and the
/// uplink put their fds and the state into <see cref="Outgoing"/>; as the last part to stop, this hands it on through
/// systemd's fd store or, without systemd, the state directory's Unix socket (waiting a bounded time for a successor).
/// </summary>
/// <remarks>Registered as the first hosted service, so it stops last, after Kestrel (the API port is free for the
/// successor), the tunnel and the uplink.</remarks>
internal sealed class AgentHandover(HandoverSettings settings, ILogger<AgentHandover> log) : IHostedService, IDisposable
{
    /// <summary>The previous process's fds, when a hand-over was accepted at start (its state decoded and ours).</summary>
    public HandoverBundle? Incoming => settings.Incoming;

    /// <summary>The sessions to take over, when a hand-over was accepted.</summary>
    public TunnelState? CarriedState => settings.CarriedState;

    /// <summary>What this process hands on at stop; filled by the tunnel and the uplink as they stop.</summary>
    public HandoverBundle Outgoing { get; } = new();

    /// <summary>How many live sessions the tunnel put in <see cref="Outgoing"/>'s state.</summary>
    public int OutgoingSessions { get; set; }

    /// <summary>Whether a stop hands over at all (false: the sessions end with the process, as before).</summary>
    public bool Enabled => settings.Systemd is not null || settings.Wait > TimeSpan.Zero;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private readonly List<Action> _whenRestored = [];
    private bool _restored;

    /// <summary>Runs <paramref name="action"/> once the tunnel has put the carried sessions back (at once when it has, or
    /// when nothing was carried); the uplink attaches an adopted device through it.</summary>
    public void WhenSessionsRestored(Action action)
    {
        lock (_whenRestored)
        {
            if (!_restored)
            {
                _whenRestored.Add(action);
                return;
            }
        }
        action();
    }

    /// <summary>Called by the tunnel after taking the sessions over, before it reads the adopted sockets; idempotent.</summary>
    public void SessionsRestored()
    {
        List<Action> actions;
        lock (_whenRestored)
        {
            _restored = true;
            actions = [.. _whenRestored];
            _whenRestored.Clear();
        }
        foreach (var action in actions)
            action();
    }

    /// <summary>Who a state belongs to: the appliance's server certificate (SHA-256 fingerprint). A state exported by
    /// another appliance is refused.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static string IdentityOf(Appliance.Agent.Pki.ApplianceCa ca) => Appliance.Contracts.CertificateFingerprint.Of(ca.ServerCertificate);

    /// <summary>Once every part has started: closes the handed fds nobody took and, under systemd, empties the fd store
    /// (its copies would otherwise come back at the next start beside the new ones).</summary>
    public void FinishIntake()
    {
        SessionsRestored();
        if (settings.Incoming is not { } incoming)
            return;
        var unclaimed = incoming.CloseUnclaimed();
        if (unclaimed.Count > 0)
        {
            string list = string.Join(", ", unclaimed);
            Log.HandoverUnclaimed(log, list);
        }
        if (settings.Systemd is { } notify && settings.ReceivedNames.Count > 0)
        {
            try
            {
                SystemdFdStore.Remove(notify, settings.ReceivedNames);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
            {
                Log.HandoverFailed(log, $"could not empty the systemd fd store: {e.Message}");
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Outgoing.Count == 0)
            return;
        try
        {
            if (settings.Systemd is { } notify)
            {
                SystemdFdStore.Store(notify, Outgoing);
                string list = string.Join(", ", Outgoing.Names);
                Log.HandedOver(log, Outgoing.Count, list, "the systemd fd store");
            }
            else if (OutgoingSessions == 0)
            {
                // Nothing a client would miss: no reason to hold the stop up.
                Log.HandoverProgress(log, "no live session to hand over; the sockets close with this process");
            }
            else
            {
                await UnixSocketHandover.OfferAsync(settings.StateDirectory, Outgoing, settings.Wait, message => Log.HandoverProgress(log, message));
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
        {
            Log.HandoverFailed(log, e.Message);
        }
        finally
        {
            Outgoing.CloseUnclaimed();
        }
    }

    public void Dispose()
    {
        Outgoing.Dispose();
        settings.Incoming?.Dispose();
    }
}

/// <summary>How this process hands over and what it was handed (read before the host is built).</summary>
/// <param name="Systemd">The notify socket when systemd's fd store is the transport; null for the Unix socket.</param>
/// <param name="ReceivedNames">Every name the previous process handed, for emptying the fd store.</param>
internal sealed record HandoverSettings(string StateDirectory, TimeSpan Wait, string? Systemd, HandoverBundle? Incoming, TunnelState? CarriedState, IReadOnlyList<string> ReceivedNames);

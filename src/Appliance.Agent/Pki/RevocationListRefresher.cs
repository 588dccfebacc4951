using System.Runtime.Versioning;

namespace Appliance.Agent.Pki;

/// <summary>Re-signs the CRL on a schedule so it never passes its nextUpdate while nothing changes.</summary>
/// <remarks>Checks hourly; <see cref="ClientRegistry.RefreshRevocationListIfDue"/> decides (days before nextUpdate), so a check missed while the machine slept costs nothing.</remarks>
[SupportedOSPlatform("linux")]
internal sealed class RevocationListRefresher(ClientRegistry registry, TimeProvider time, ILogger<RevocationListRefresher> log) : BackgroundService
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        DropKeysOfExpired();
        using var timer = new PeriodicTimer(CheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            DropKeysOfExpired();
            try
            {
                if (registry.RefreshRevocationListIfDue())
                    Log.RevocationListRefreshed(log, registry.RevocationListNextUpdate);
            }
            catch (State.StateDirectoryException e)
            {
                // The old CRL still applies until its nextUpdate; the next tick retries.
                Log.RevocationListRefreshFailed(log, e.Message);
            }
        }
    }

    /// <summary>The keys of expired clients go at start and at every check (the registry's key retention).</summary>
    private void DropKeysOfExpired()
    {
        try
        {
            if (registry.DropKeysOfExpired() is > 0 and int dropped)
                Log.ExpiredKeysDropped(log, dropped);
        }
        catch (State.StateDirectoryException e)
        {
            Log.ExpiredKeysDropFailed(log, e.Message);
        }
    }
}

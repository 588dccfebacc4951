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
        using var timer = new PeriodicTimer(CheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
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
}

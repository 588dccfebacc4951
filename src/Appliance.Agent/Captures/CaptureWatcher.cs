using System.Runtime.Versioning;

namespace Appliance.Agent.Captures;

/// <summary>Once a second, stops the captures whose session has closed; stops every capture when the agent stops.</summary>
[SupportedOSPlatform("linux")]
internal sealed class CaptureWatcher(CaptureStore store, TimeProvider time, ILogger<CaptureWatcher> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var entry in store.StopOrphans())
                    Log.CaptureStopped(log, entry.Id, entry.SessionId, CaptureEntry.SessionClosed);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        finally
        {
            store.StopAll();
        }
    }
}

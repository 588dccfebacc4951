using Microsoft.Extensions.Time.Testing;

namespace Appliance.Web.Tests.EndToEnd;

/// <summary>
/// Moves the panel's fake clock along with real time, so its background work (live feed retries, history sampling) runs
/// as in production while the test can still jump ahead (a fresh TOTP step).
/// </summary>
public sealed class ClockFollower : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ClockFollower(FakeTimeProvider clock) => _loop = FollowAsync(clock, _stop.Token);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private static async Task FollowAsync(FakeTimeProvider clock, CancellationToken ct)
    {
        var last = DateTime.UtcNow;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(100, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var now = DateTime.UtcNow;
            clock.Advance(now - last);
            last = now;
        }
    }
}

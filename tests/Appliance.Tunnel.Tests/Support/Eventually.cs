namespace Appliance.Tunnel.Tests.Support;

/// <summary>Waits for something another thread makes true, failing the test with what was awaited.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, TimeSpan patience, string what = "the condition did not become true in time")
    {
        var deadline = DateTime.UtcNow + patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, what);
            await Task.Delay(10);
        }
    }
}

namespace Appliance.EndToEnd.Tests.Support;

/// <summary>Bounded waiting for something a real process or guest does in its own time.</summary>
public static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>True as soon as <paramref name="condition"/> holds; false at <paramref name="timeout"/> or once <paramref name="stopEarly"/> holds.</summary>
    public static bool Until(Func<bool> condition, TimeSpan timeout, Func<bool>? stopEarly = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (condition())
                return true;
            if (DateTime.UtcNow >= deadline || (stopEarly?.Invoke() ?? false))
                return false;
            Thread.Sleep(Interval);
        }
    }
}

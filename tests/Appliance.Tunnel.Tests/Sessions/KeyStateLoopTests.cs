using Appliance.Tunnel.Sessions;

namespace Appliance.Tunnel.Tests.Sessions;

/// <summary>How long a key state's control loop sleeps for what <c>ReliableChannel.TimeUntilNextEvent</c> reports.</summary>
public sealed class KeyStateLoopTests
{
    [Fact]
    public void Nothing_in_flight_sleeps_the_longest_sleep_instead_of_spinning() =>
        Assert.Equal(TimeSpan.FromSeconds(1), KeyState.SleepBeforeNextTurn(Timeout.InfiniteTimeSpan));

    [Fact]
    public void Something_due_now_runs_again_at_once() =>
        Assert.Null(KeyState.SleepBeforeNextTurn(TimeSpan.Zero));

    [Fact]
    public void A_retransmit_due_soon_sleeps_until_then() =>
        Assert.Equal(TimeSpan.FromMilliseconds(250), KeyState.SleepBeforeNextTurn(TimeSpan.FromMilliseconds(250)));

    [Fact]
    public void A_far_deadline_sleeps_at_most_a_second() =>
        Assert.Equal(TimeSpan.FromSeconds(1), KeyState.SleepBeforeNextTurn(TimeSpan.FromSeconds(45)));
}

using Appliance.Web.History;

namespace Appliance.Web.Tests.History;

public sealed class CounterDeltaTests
{
    private static TrafficTotals Totals(long framesIn, long bytesIn, long framesOut = 0, long bytesOut = 0) =>
        new(framesIn, bytesIn, framesOut, bytesOut, 0, 0, 0, 0);

    [Fact]
    public void First_sight_of_a_session_counts_everything_it_has()
    {
        var delta = CounterDelta.Between(null, null, Totals(10, 1000, 5, 500), "s1");

        Assert.Equal(Totals(10, 1000, 5, 500), delta);
    }

    [Fact]
    public void Growth_of_the_same_session_is_the_difference()
    {
        var delta = CounterDelta.Between(Totals(10, 1000, 5, 500), "s1", Totals(15, 1600, 9, 900), "s1");

        Assert.Equal(Totals(5, 600, 4, 400), delta);
    }

    [Fact]
    public void A_counter_that_went_down_was_reset_and_its_new_value_is_the_delta()
    {
        // The agent restarted and its counters began again from zero; 40 bytes arrived since.
        var delta = CounterDelta.Between(Totals(10, 1000, 5, 500), "s1", Totals(1, 40, 7, 700), "s1");

        Assert.Equal(1, delta.FramesIn);
        Assert.Equal(40, delta.BytesIn);
        Assert.Equal(2, delta.FramesOut);
        Assert.Equal(200, delta.BytesOut);
    }

    [Fact]
    public void A_new_session_counts_from_zero_even_when_its_counters_exceed_the_old_ones()
    {
        var delta = CounterDelta.Between(Totals(10, 1000), "s1", Totals(20, 3000), "s2");

        Assert.Equal(Totals(20, 3000), delta);
    }

    [Fact]
    public void A_delta_is_never_negative_whatever_the_two_values()
    {
        long[] values = [0, 1, 7, 1000, long.MaxValue / 2];
        foreach (long before in values)
        {
            foreach (long now in values)
                Assert.True(CounterDelta.Grown(before, now) >= 0, $"{before} -> {now}");
        }
    }

    [Fact]
    public void Unchanged_counters_give_a_zero_delta()
    {
        Assert.True(CounterDelta.Between(Totals(3, 300), "s", Totals(3, 300), "s").IsZero);
    }
}

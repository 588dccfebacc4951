using System.Net;
using Appliance.Tunnel.RateLimit;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tunnel.Tests.RateLimit;

public class SourceLimiterTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void One_source_spending_its_burst_leaves_another_sources_allowance_whole()
    {
        var limiter = new SourceLimiter(ratePerSecond: 1, burst: 5, _time);
        var attacker = new IPEndPoint(IPAddress.Parse("192.0.2.66"), 1000).Serialize();
        var victim = new IPEndPoint(IPAddress.Parse("192.0.2.7"), 1000).Serialize();

        int taken = 0;
        while (limiter.TryTake(attacker) && taken < 100)
            taken++;

        Assert.Equal(5, taken);
        for (int i = 0; i < 5; i++)
            Assert.True(limiter.TryTake(victim), $"the victim's token {i + 1} was spent by another source");
    }

    [Fact]
    public void Ports_do_not_make_new_sources_and_tokens_come_back_with_time()
    {
        var limiter = new SourceLimiter(ratePerSecond: 2, burst: 2, _time);
        var address = IPAddress.Parse("198.51.100.1");

        Assert.True(limiter.TryTake(new IPEndPoint(address, 1).Serialize()));
        Assert.True(limiter.TryTake(new IPEndPoint(address, 2).Serialize()));
        Assert.False(limiter.TryTake(new IPEndPoint(address, 3).Serialize()));
        _time.Advance(TimeSpan.FromSeconds(0.5));
        Assert.True(limiter.TryTake(address));
        Assert.False(limiter.TryTake(address));
    }

    [Fact]
    public void An_ipv4_mapped_address_is_the_same_source_as_its_ipv4()
    {
        var v4 = IPAddress.Parse("203.0.113.9");

        Assert.Equal(SourceLimiter.SlotOf(v4), SourceLimiter.SlotOf(v4.MapToIPv6()));
        Assert.Equal(SourceLimiter.SlotOf(new IPEndPoint(v4, 5).Serialize()), SourceLimiter.SlotOf(new IPEndPoint(v4.MapToIPv6(), 6).Serialize()));
        Assert.Equal(SourceLimiter.SlotOf(v4), SourceLimiter.SlotOf(new IPEndPoint(v4, 7).Serialize()));
    }
}

public class LogLimiterTests
{
    [Fact]
    public void A_flood_writes_one_line_per_interval_and_the_next_line_says_how_many_were_held_back()
    {
        var time = new FakeTimeProvider();
        var limiter = new LogLimiter(TimeSpan.FromSeconds(10), time);

        Assert.True(limiter.TryEnter(out long first));
        int held = 0;
        for (int i = 0; i < 999; i++)
        {
            if (!limiter.TryEnter(out _))
                held++;
        }
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(0, first);
        Assert.Equal(999, held);
        Assert.True(limiter.TryEnter(out long suppressed));
        Assert.Equal(999, suppressed);
    }
}

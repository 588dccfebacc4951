using Appliance.Tunnel.RateLimit;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tunnel.Tests.RateLimit;

public sealed class TokenBucketTests
{
    [Fact]
    public void A_full_bucket_gives_its_burst_then_refuses()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(ratePerSecond: 10, burst: 5, time);

        int taken = 0;
        while (bucket.TryTake())
            taken++;

        Assert.Equal(5, taken);
    }

    [Fact]
    public void Tokens_come_back_at_the_rate_and_never_beyond_the_burst()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(ratePerSecond: 10, burst: 5, time);
        while (bucket.TryTake())
        {
        }

        time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.True(bucket.TryTake());
        Assert.True(bucket.TryTake());
        Assert.True(bucket.TryTake());
        Assert.False(bucket.TryTake());

        time.Advance(TimeSpan.FromHours(1));
        int taken = 0;
        while (bucket.TryTake())
            taken++;
        Assert.Equal(5, taken);
    }
}

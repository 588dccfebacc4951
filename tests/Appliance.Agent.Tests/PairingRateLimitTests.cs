using System.Net;
using System.Runtime.Versioning;
using Appliance.Agent.Tests.Support;
using Appliance.Contracts;

namespace Appliance.Agent.Tests;

/// <summary>The anonymous pairing proof cannot be used to grind: a burst from one address is throttled.</summary>
[Trait("Category", "EndToEnd")]
[SupportedOSPlatform("linux")]
public sealed class PairingRateLimitTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    [Fact]
    public async Task More_than_ten_proofs_a_minute_from_one_address_are_answered_429()
    {
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 12; i++)
        {
            try
            {
                await AgentApiClient.PairAsync(fixture.Daemon.Url, DaemonFixture.PairingToken);
                statuses.Add(HttpStatusCode.OK);
            }
            catch (AgentApiException e)
            {
                statuses.Add(e.Status ?? HttpStatusCode.InternalServerError);
                Assert.Equal(AgentApiFailure.Throttled, e.Failure);
            }
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 10).Concat(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 2)), statuses);
        // Authenticated calls are not throttled by it.
        Assert.Equal("appliance", (await fixture.Daemon.Api.GetHealthAsync()).ServerName);
    }
}

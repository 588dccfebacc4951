using Appliance.Web.Sessions;

namespace Appliance.Web.Tests.Sessions;

public sealed class CounterLabelsTests
{
    [Theory]
    [InlineData("PppoeSession", "PPPoE session")]
    [InlineData("PppoeDiscovery", "PPPoE discovery")]
    [InlineData("Ieee8023Length", "802.3 length")]
    [InlineData("IPV6CP", "IPv6CP")]
    [InlineData("IPV6CP Configure-Ack", "IPv6CP Configure-Ack")]
    [InlineData("IPCP Configure-Ack", "IPCP Configure-Ack")]
    [InlineData("14-33", "14-33")]
    [InlineData("queue_full", "queue_full")]
    public void Keys_read_as_operators_write_them(string key, string shown) => Assert.Equal(shown, CounterLabels.Display(key));
}

using Appliance.EndToEnd.Tests.Support;
using Appliance.Tunnel.Switching;
using Xunit.Abstractions;

namespace Appliance.EndToEnd.Tests;

/// <summary>The stock OpenVPN 2.6 client against our server, with the profile our code renders, over a real underlay.</summary>
[Trait("Category", "EndToEnd")]
public sealed class OurTunnelTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(OpenVpnTransport.Udp)]
    [InlineData(OpenVpnTransport.Tcp)]
    public async Task Stock_client_connects_with_our_rendered_profile_and_its_tap_comes_up(OpenVpnTransport transport)
    {
        using var pki = TestPki.Create();
        using var lab = VpnLab.Create();
        var site = lab.AddClientSite();
        await using var server = ApplianceServer.Start(lab, pki, new ApplianceServerOptions { Transport = transport, Log = output.WriteLine });
        using var client = OpenVpnClient.Start(site.Namespace, server.RenderProfile(pki.Client));
        try
        {
            client.WaitUntilConnected();
            Assert.True(Poll.Until(() => server.SessionOf(pki.Client.CommonName)?.IsEstablished == true, TimeSpan.FromSeconds(5)));
            string link = site.Namespace.Ip("-br", "link", "show", client.TapName!);
            Assert.Contains("UP", link, StringComparison.Ordinal);
        }
        finally
        {
            output.WriteLine(client.Log);
        }
    }
}

using System.Diagnostics;
using Appliance.EndToEnd.Tests.Support;
using Xunit.Abstractions;

namespace Appliance.EndToEnd.Tests;

/// <summary>
/// The product's use case with the real OpenVPN 2.6 server standing in for ours: pppd in a UML guest behind a
/// stock client's TAP dials pppoe-server in a UML guest on the server's uplink bridge, through the tunnel.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class PppoeThroughTunnelTests
{
    private const string ServerLinkLocalOnPpp0 = PppoeLab.ServerLinkLocal + "%ppp0";
    private readonly ITestOutputHelper _output;

    public PppoeThroughTunnelTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData("udp, underlay mtu 1500", OpenVpnTransport.Udp, 1500)]
    [InlineData("tcp, underlay mtu 1500", OpenVpnTransport.Tcp, 1500)]
    [InlineData("udp, underlay mtu 1280", OpenVpnTransport.Udp, 1280)]
    public void Pppoe_session_through_the_tunnel_brings_up_ipcp_and_ipv6cp_and_carries_1514_byte_frames(string underlay, OpenVpnTransport transport, int mtu)
    {
        var clock = Stopwatch.StartNew();
        using var lab = VpnLab.Create(mtu);
        var site = lab.AddClientSite();
        using var pki = TestPki.Create();
        using var pppoe = new PppoeLab();
        using var server = ReferenceOpenVpnServer.Start(lab.Server, pki, new ReferenceServerOptions { Transport = transport });
        var isp = pppoe.StartServer(lab.Server, VpnLab.UplinkBridge);
        using var client = OpenVpnClient.Connect(site.Namespace, Profile(server, pki, pki.Client), ClientSite.LanBridge);
        var subscriber = pppoe.StartClient(site.Namespace, ClientSite.LanBridge);

        Assert.Equal("10.67.0.2", subscriber.WaitForIpcp());
        subscriber.WaitForIpv6cp();
        _output.WriteLine($"{underlay}: PPP up after {clock.ElapsedMilliseconds} ms");

        AssertPing(subscriber.Ping(PppoeLab.ServerAddress), "IPv4", isp);
        AssertPing(subscriber.Ping6(ServerLinkLocalOnPpp0), "IPv6", isp);
        // 1464 + 8 ICMP + 20 IPv4 = 1492 (the PPPoE MTU): 1514-byte Ethernet frames on both TAPs, DF set.
        long fragmentsBefore = site.Namespace.Ipv4Counter("FragCreates");
        AssertPing(subscriber.Ping(PppoeLab.ServerAddress, payload: 1464, dontFragment: true), "1464-byte DF", isp);
        long fragments = site.Namespace.Ipv4Counter("FragCreates") - fragmentsBefore;
        _output.WriteLine($"{underlay}: the client's host made {fragments} outer IPv4 fragments for 3 full-size frames");
        // Over UDP a 1514-byte frame is 1538 bytes of DATA_V2 payload, a 1566-byte datagram: larger than either
        // underlay, so the reference client's kernel fragments it (DF is only set on datagrams that fit). TCP
        // segments by MSS instead.
        if (transport == OpenVpnTransport.Udp)
            Assert.True(fragments >= 3, $"{underlay}: expected the 1566-byte datagrams to leave as IPv4 fragments, saw {fragments}");
        else
            Assert.Equal(0, fragments);
        _output.WriteLine($"{underlay}: done after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void Two_clients_at_once_each_get_their_own_pppoe_session()
    {
        var clock = Stopwatch.StartNew();
        using var lab = VpnLab.Create();
        var sites = new[] { lab.AddClientSite(), lab.AddClientSite() };
        using var pki = TestPki.Create();
        using var pppoe = new PppoeLab();
        using var server = ReferenceOpenVpnServer.Start(lab.Server, pki);
        var isp = pppoe.StartServer(lab.Server, VpnLab.UplinkBridge);
        using var first = OpenVpnClient.Start(sites[0].Namespace, Profile(server, pki, pki.IssueClient("e2e-client-a")), ClientSite.LanBridge);
        using var second = OpenVpnClient.Start(sites[1].Namespace, Profile(server, pki, pki.IssueClient("e2e-client-b")), ClientSite.LanBridge);
        first.WaitUntilConnected();
        second.WaitUntilConnected();
        var subscribers = new[] { pppoe.StartClient(sites[0].Namespace, ClientSite.LanBridge), pppoe.StartClient(sites[1].Namespace, ClientSite.LanBridge) };

        var addresses = new[] { subscribers[0].WaitForIpcp(), subscribers[1].WaitForIpcp() };

        _output.WriteLine($"both sessions up after {clock.ElapsedMilliseconds} ms");
        Assert.Equal(["10.67.0.2", "10.67.0.3"], addresses.Order());
        foreach (var subscriber in subscribers)
        {
            subscriber.WaitForIpv6cp();
            AssertPing(subscriber.Ping(PppoeLab.ServerAddress, payload: 1464, dontFragment: true), $"1464-byte DF from {subscriber.Umid}", isp);
            AssertPing(subscriber.Ping6(ServerLinkLocalOnPpp0), $"IPv6 from {subscriber.Umid}", isp);
        }
        Assert.True(isp.WaitForConsole("remote IP address 10.67.0.3", TimeSpan.FromSeconds(1)), isp.Console);
    }

    private static string Profile(IVpnServerEndpoint server, TestPki pki, IssuedCertificate client) =>
        ProfileWriter.Render(ClientProfile.For(server, pki.Ca.CertificatePem, client, pki.TlsCryptKey));

    private static void AssertPing(GuestCommandResult ping, string what, PppoeGuest isp) =>
        Assert.True(ping.Succeeded, $"{what} ping failed ({ping.ExitCode}):\n{ping.Output}\nISP console:\n{isp.Console}");
}

using Appliance.EndToEnd.Tests.Support;
using Xunit.Abstractions;

namespace Appliance.EndToEnd.Tests;

/// <summary>
/// The stock OpenVPN 2.6 client against the real 2.6 server (the stand-in for ours) across an underlay between two
/// namespaces: proves the fixtures (PKI, profile, client, reference server, lab) before any PPPoE runs over them.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ReferenceTunnelTests
{
    private const string UplinkProbe = "192.168.77.1";
    private readonly ITestOutputHelper _output;

    public ReferenceTunnelTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData("udp, underlay mtu 1500", OpenVpnTransport.Udp, 1500)]
    [InlineData("tcp, underlay mtu 1500", OpenVpnTransport.Tcp, 1500)]
    [InlineData("udp, underlay mtu 1280", OpenVpnTransport.Udp, 1280)]
    [InlineData("tcp, underlay mtu 1280", OpenVpnTransport.Tcp, 1280)]
    public void Stock_client_connects_and_its_tap_carries_1514_byte_frames_with_df(string underlay, OpenVpnTransport transport, int mtu)
    {
        using var lab = VpnLab.Create(mtu);
        var site = lab.AddClientSite();
        using var pki = TestPki.Create();
        using var server = ReferenceOpenVpnServer.Start(lab.Server, pki, new ReferenceServerOptions { Transport = transport });
        using var client = OpenVpnClient.Connect(site.Namespace, ProfileWriter.Render(ClientProfile.For(server, pki.Ca.CertificatePem, pki.Client, pki.TlsCryptKey)), ClientSite.LanBridge);
        _output.WriteLine($"{underlay}: client {client.TapName}, server {server.TapName}");

        string tap = site.Namespace.Ip("-o", "link", "show", "dev", client.TapName!);
        Assert.Matches(@"<[^>]*\bUP\b[^>]*>", tap);
        Assert.Contains($"master {ClientSite.LanBridge} ", tap, StringComparison.Ordinal);
        Assert.True(server.WaitForLog("Peer Connection Initiated", TimeSpan.FromSeconds(5)), server.Log);
        Probe(lab, site);
        // 1472 + 8 ICMP + 20 IPv4 = 1500: a 1514-byte frame on the TAPs, 1538 bytes of OpenVPN payload outside.
        var ping = Ping(site, UplinkProbe, payload: 1472);
        Assert.True(ping.Code == 0, $"{underlay}: {ping.Output}\nclient:\n{client.Log}");
    }

    [Theory]
    [InlineData("revoked client", "certificate revoked")]
    [InlineData("expired client", "certificate has expired")]
    [InlineData("client of a foreign CA", "VERIFY ERROR")]
    public void Server_refuses_a_client_certificate_it_must_not_trust(string who, string serverSays)
    {
        using var lab = VpnLab.Create();
        var site = lab.AddClientSite();
        using var pki = TestPki.Create();
        var certificate = who switch
        {
            "revoked client" => pki.RevokedClient,
            "expired client" => pki.ExpiredClient,
            _ => pki.ForeignClient,
        };
        using var server = ReferenceOpenVpnServer.Start(lab.Server, pki);
        using var client = OpenVpnClient.Start(site.Namespace, ProfileWriter.Render(ClientProfile.For(server, pki.Ca.CertificatePem, certificate, pki.TlsCryptKey)));

        Assert.True(server.WaitForLog(serverSays, TimeSpan.FromSeconds(10)), $"{who}: server log:\n{server.Log}");
        Assert.DoesNotContain(OpenVpnClient.Connected, client.Log);
        Assert.DoesNotContain("Peer Connection Initiated", server.Log);
    }

    [Fact]
    public void Client_refuses_a_server_certificate_from_a_foreign_ca()
    {
        using var lab = VpnLab.Create();
        var site = lab.AddClientSite();
        using var pki = TestPki.Create();
        using var server = ReferenceOpenVpnServer.Start(lab.Server, pki, new ReferenceServerOptions { Certificate = pki.ForeignServer });
        using var client = OpenVpnClient.Start(site.Namespace, ProfileWriter.Render(ClientProfile.For(server, pki.Ca.CertificatePem, pki.Client, pki.TlsCryptKey)));

        Assert.True(client.WaitForLog("VERIFY ERROR", TimeSpan.FromSeconds(10)), client.Log);
        Assert.DoesNotContain(OpenVpnClient.Connected, client.Log);
    }

    [Fact]
    public void Restarted_client_reconnects_with_a_new_session_and_carries_frames_again()
    {
        using var lab = VpnLab.Create();
        var site = lab.AddClientSite();
        using var pki = TestPki.Create();
        using var server = ReferenceOpenVpnServer.Start(lab.Server, pki);
        using var client = OpenVpnClient.Connect(site.Namespace, ProfileWriter.Render(ClientProfile.For(server, pki.Ca.CertificatePem, pki.Client, pki.TlsCryptKey)), ClientSite.LanBridge);
        int firstPid = client.Pid;
        Probe(lab, site);

        client.Restart();
        client.WaitUntilConnected();

        Assert.Equal(0, client.ExitCode is null ? 0 : client.ExitCode);
        Assert.NotEqual(firstPid, client.Pid);
        Assert.True(server.WaitForLog("Peer Connection Initiated", TimeSpan.FromSeconds(5), occurrences: 2), server.Log);
        var ping = Ping(site, UplinkProbe, payload: 56);
        Assert.True(ping.Code == 0, ping.Output);
    }

    /// <summary>IPv4 addresses on both bridges, only to have something to ping across the tunnel.</summary>
    private static void Probe(VpnLab lab, ClientSite site)
    {
        if (!lab.Server.Ip("-o", "addr", "show", "dev", VpnLab.UplinkBridge).Contains(UplinkProbe, StringComparison.Ordinal))
            lab.Server.Ip("addr", "add", $"{UplinkProbe}/24", "dev", VpnLab.UplinkBridge);
        string address = $"192.168.77.{10 + site.Index}";
        if (!site.Namespace.Ip("-o", "addr", "show", "dev", ClientSite.LanBridge).Contains(address, StringComparison.Ordinal))
            site.Namespace.Ip("addr", "add", $"{address}/24", "dev", ClientSite.LanBridge);
    }

    private static (int Code, string Output) Ping(ClientSite site, string address, int payload)
    {
        string size = payload.ToString(System.Globalization.CultureInfo.InvariantCulture);
        int code = NetworkNamespace.TryRun("ip", ["netns", "exec", site.Namespace.Name, "ping", "-c", "3", "-i", "0.2", "-W", "2", "-M", "do", "-s", size, address], out var output);
        return (code, output);
    }
}

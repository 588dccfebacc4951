using Appliance.EndToEnd.Tests.Support;
using Appliance.Tunnel.Devices;
using Appliance.Tunnel.Frames;
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

    [Fact]
    public async Task The_rendered_linux_profile_brings_its_tap_up_by_itself_without_any_script_from_the_fixture()
    {
        using var pki = TestPki.Create();
        using var lab = VpnLab.Create();
        var site = lab.AddClientSite();
        await using var server = ApplianceServer.Start(lab, pki, new ApplianceServerOptions { Log = output.WriteLine });
        string profile = server.RenderProfile(pki.Client);
        Assert.Contains("\nscript-security 2\n", profile, StringComparison.Ordinal);
        using var client = OpenVpnClient.StartWithProfileScripts(site.Namespace, profile);
        try
        {
            client.WaitUntilConnected();
            string tap = client.TapName!;
            string link = site.Namespace.Ip("-o", "link", "show", "dev", tap);
            Assert.Matches(@"<[^>]*\bUP\b[^>]*>", link);
            Assert.DoesNotContain("master", link, StringComparison.Ordinal);
            // The up command ran as the profile spells it: sh, with the TAP as $1 (not a "command not found" from a
            // mis-split line, which 2.6 logs as "WARNING: Failed running command").
            Assert.Contains("/bin/sh -c ip link set dev \"$1\" up tap-up " + tap, client.Log, StringComparison.Ordinal);
            Assert.DoesNotContain("Failed running command", client.Log, StringComparison.Ordinal);

            // Up means it carries frames: a 32-byte IPCP Configure-Ack sent on the TAP reaches our session port.
            var session = server.SessionOf(pki.Client.CommonName);
            Assert.NotNull(session);
            var configureAck = TestFrames.Build(32, PayloadKind.PppoeSession, Tagging.Untagged, TestFrames.BehindTap, TestFrames.Broadcast, seed: 1);
            using (var wire = site.Namespace.InvokeInside(() => RawSocketDevice.Open(tap)))
                Assert.Equal(DeviceResult.Ok(32), wire.Write(configureAck));
            Assert.True(Poll.Until(() => session.Port!.Counters.In.Snapshot().Frames >= 1, TimeSpan.FromSeconds(5)), "the frame sent on the tap never reached the session port");
            var counted = session.Port!.Counters.In.Snapshot();
            Assert.Equal(1, counted.BySize(SizeClass.Bytes14To33));
            Assert.Equal(1, counted.ByFamily(EtherTypeFamily.PppoeSession));
        }
        finally
        {
            output.WriteLine(client.Log);
        }
    }

    [Fact]
    public async Task Without_an_up_line_the_stock_client_leaves_its_tap_down()
    {
        // The control for the test above: what the Linux profile's up line is there for.
        using var pki = TestPki.Create();
        using var lab = VpnLab.Create();
        var site = lab.AddClientSite();
        await using var server = ApplianceServer.Start(lab, pki, new ApplianceServerOptions { Log = output.WriteLine });
        string profile = server.RenderProfile(pki.Client, Appliance.Agent.Profiles.ProfilePlatform.Windows);
        Assert.DoesNotContain("\nup ", profile, StringComparison.Ordinal);
        using var client = OpenVpnClient.StartWithProfileScripts(site.Namespace, profile);
        client.WaitUntilConnected();
        string link = site.Namespace.Ip("-o", "link", "show", "dev", client.TapName!);
        Assert.DoesNotMatch(@"<[^>]*\bUP\b[^>]*>", link);
    }
}

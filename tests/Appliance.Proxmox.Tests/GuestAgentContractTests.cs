using Appliance.Proxmox.Errors;
using Appliance.Proxmox.Tests.FakePve;
using Appliance.Proxmox.Tests.Support;

namespace Appliance.Proxmox.Tests;

/// <summary>Guest agent calls against the schema-generated node.</summary>
public sealed class GuestAgentContractTests
{
    [Fact]
    [Covers(nameof(ProxmoxClient.PingGuestAgentAsync))]
    public async Task Ping_throws_while_the_agent_is_not_running_and_succeeds_after()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.FailTimes("POST", "/nodes/{node}/qemu/{vmid}/agent/ping", 1, 500, "QEMU guest agent is not running");
        using var client = Pve.Client(pve);

        var thrown = await Assert.ThrowsAsync<ProxmoxException>(() => client.PingGuestAgentAsync("pve", 100));
        await client.PingGuestAgentAsync("pve", 100);

        Assert.Equal(ProxmoxErrorKind.ServerFailure, thrown.Error.Kind);
        Assert.Contains("still booting", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(2, pve.Requests.Count(r => r.Template == "/nodes/{node}/qemu/{vmid}/agent/ping"));
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.GetGuestNetworkInterfacesAsync))]
    public async Task Network_interfaces_are_matched_by_mac_and_skip_link_local_addresses()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces", new Dictionary<string, object>
        {
            ["result"] = new object[]
            {
                new Dictionary<string, object> { ["name"] = "lo", ["hardware-address"] = "00:00:00:00:00:00", ["ip-addresses"] = new[] { new Dictionary<string, object> { ["ip-address"] = "127.0.0.1", ["ip-address-type"] = "ipv4", ["prefix"] = 8 } } },
                new Dictionary<string, object>
                {
                    ["name"] = "ens18", ["hardware-address"] = "bc:24:11:00:00:01",
                    ["ip-addresses"] = new[]
                    {
                        new Dictionary<string, object> { ["ip-address"] = "fe80::be24:11ff:fe00:1", ["ip-address-type"] = "ipv6", ["prefix"] = 64 },
                        new Dictionary<string, object> { ["ip-address"] = "192.0.2.50", ["ip-address-type"] = "ipv4", ["prefix"] = 24 },
                    },
                },
            },
        });
        using var client = Pve.Client(pve);

        var interfaces = await client.GetGuestNetworkInterfacesAsync("pve", 100);

        var nic = Assert.Single(interfaces, i => i.HasMac("BC:24:11:00:00:01"));
        Assert.Equal("192.0.2.50", nic.UsableAddress()!.ToString());
        Assert.Null(interfaces[0].UsableAddress());
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.WriteGuestFileAsync))]
    public async Task File_write_sends_path_and_plain_content_for_pve_to_encode()
    {
        await using var pve = await FakePveServer.StartAsync();
        using var client = Pve.Client(pve);

        await client.WriteGuestFileAsync("pve", 100, "/etc/appliance/pairing.token", "tok+en/=;x\n");

        var sent = pve.Last("POST", "/nodes/{node}/qemu/{vmid}/agent/file-write");
        Assert.Equal("/etc/appliance/pairing.token", sent["file"]);
        Assert.Equal("tok+en/=;x\n", sent["content"]);
        Assert.Null(sent["encode"]);
    }

    [Fact]
    public async Task File_write_refuses_a_relative_path_and_oversized_content_before_sending()
    {
        await using var pve = await FakePveServer.StartAsync();
        using var client = Pve.Client(pve);

        await Assert.ThrowsAsync<ArgumentException>(() => client.WriteGuestFileAsync("pve", 100, "etc/x", "a"));
        var big = await Assert.ThrowsAsync<ArgumentException>(() => client.WriteGuestFileAsync("pve", 100, "/etc/x", new string('a', 61441)));

        Assert.Contains("61440", big.Message, StringComparison.Ordinal);
        Assert.Empty(pve.Requests);
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.ReadGuestFileAsync))]
    public async Task File_read_returns_the_decoded_content()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/nodes/{node}/qemu/{vmid}/agent/file-read", new { content = "AB:CD\n", truncated = 0 });
        using var client = Pve.Client(pve);

        var file = await client.ReadGuestFileAsync("pve", 100, "/var/lib/appliance/api.fingerprint");

        Assert.Equal("AB:CD\n", file.Content);
        Assert.False(file.Truncated);
        Assert.Equal("/var/lib/appliance/api.fingerprint", pve.Last("GET", "/nodes/{node}/qemu/{vmid}/agent/file-read")["file"]);
    }
}

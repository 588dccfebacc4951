using System.Security.Cryptography;
using Appliance.Proxmox.Tests.FakePve;
using Appliance.Proxmox.Tests.Support;

namespace Appliance.Proxmox.Tests;

/// <summary>Storage, upload and host network calls against the schema-generated node.</summary>
public sealed class StorageNetworkContractTests
{
    [Fact]
    [Covers(nameof(ProxmoxClient.GetStoragesAsync))]
    public async Task Storages_filter_by_content_and_tell_which_hold_import()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/nodes/{node}/storage", new object[]
        {
            new { storage = "local", type = "dir", content = "iso,vztmpl,backup,import", active = 1, enabled = 1, shared = 0, total = 100_000_000_000L, used = 20_000_000_000L, avail = 80_000_000_000L },
            new { storage = "local-lvm", type = "lvmthin", content = "images,rootdir", active = 1, enabled = 1, shared = 0 },
        });
        using var client = Pve.Client(pve);

        var storages = await client.GetStoragesAsync("pve", "import");

        Assert.Equal("import", pve.Last("GET", "/nodes/{node}/storage")["content"]);
        Assert.True(storages[0].Holds("import"));
        Assert.False(storages[1].Holds("import"));
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.GetStorageContentAsync))]
    public async Task Storage_content_lists_volumes()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/nodes/{node}/storage/{storage}/content", new object[]
        {
            new { volid = "local:import/appliance-1.4.0.qcow2", format = "qcow2", size = 1_073_741_824L, ctime = 1_767_225_600L },
        });
        using var client = Pve.Client(pve);

        var volumes = await client.GetStorageContentAsync("pve", "local", "import");

        Assert.Equal("local:import/appliance-1.4.0.qcow2", Assert.Single(volumes).VolumeId);
        Assert.Equal("import", pve.Last("GET", "/nodes/{node}/storage/{storage}/content")["content"]);
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.UploadAsync))]
    public async Task Upload_follows_pveproxy_multipart_rules_and_returns_the_copy_task()
    {
        await using var pve = await FakePveServer.StartAsync();
        using var client = Pve.Client(pve);
        var image = RandomNumberGenerator.GetBytes(256 * 1024);
        var sha256 = Convert.ToHexString(SHA256.HashData(image));

        var upid = await client.UploadAsync("pve", "local", UploadContent.Import, "appliance-1.4.0.qcow2", new MemoryStream(image), sha256: sha256);

        var sent = pve.Last("POST", "/nodes/{node}/storage/{storage}/upload");
        Assert.Equal("imgcopy", upid.Type);
        Assert.Equal("import", sent["content"]);
        Assert.Equal("appliance-1.4.0.qcow2", sent["filename"]);
        Assert.Equal(("sha256", sha256.ToLowerInvariant()), (sent["checksum-algorithm"], sent["checksum"]));
        Assert.Equal(image.Length, sent.UploadedBytes);
        Assert.NotNull(sent.ContentLength);
    }

    [Fact]
    public async Task Upload_of_a_non_seekable_stream_needs_its_length()
    {
        await using var pve = await FakePveServer.StartAsync();
        using var client = Pve.Client(pve);

        var thrown = await Assert.ThrowsAsync<ArgumentException>(() =>
            client.UploadAsync("pve", "local", UploadContent.Import, "appliance.qcow2", new NonSeekableStream(new byte[10])));

        Assert.Contains("chunked", thrown.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("appliance.img")]
    [InlineData("appliance.qcow2.xz")]
    [InlineData("Appliance Image.qcow2")]
    [InlineData("appliance.QCOW2")]
    public async Task Upload_refuses_names_pve_would_refuse_for_import(string fileName)
    {
        await using var pve = await FakePveServer.StartAsync();
        using var client = Pve.Client(pve);

        var thrown = await Assert.ThrowsAsync<ArgumentException>(() =>
            client.UploadAsync("pve", "local", UploadContent.Import, fileName, new MemoryStream(new byte[10])));

        Assert.Contains(fileName, thrown.Message, StringComparison.Ordinal);
        Assert.Empty(pve.Requests);
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.GetNetworkInterfacesAsync))]
    public async Task Network_list_shows_bridges_and_their_ports()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/nodes/{node}/network", new object[]
        {
            new { iface = "vmbr0", type = "bridge", active = 1, autostart = 1, bridge_ports = "enp1s0", cidr = "192.0.2.5/24", gateway = "192.0.2.1", method = "static", families = new[] { "inet" } },
            new { iface = "vmbr1", type = "bridge", active = 1, autostart = 1, bridge_ports = "enp2s0", method = "manual", comments = "PPPoE", mtu = 1508 },
            new { iface = "enp2s0", type = "eth", active = 1, exists = 1, method = "manual" },
        });
        using var client = Pve.Client(pve);

        var interfaces = await client.GetNetworkInterfacesAsync("pve", "bridge");

        Assert.Equal("bridge", pve.Last("GET", "/nodes/{node}/network")["type"]);
        var pppoe = Assert.Single(interfaces, i => i.Comments == "PPPoE");
        Assert.True(pppoe.IsBridge);
        Assert.Equal(["enp2s0"], pppoe.Ports);
        Assert.Equal(1508, pppoe.Mtu);
        Assert.Null(pppoe.Cidr);
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.CreateBridgeAsync))]
    public async Task Bridge_is_created_without_an_address_with_its_port_and_autostart()
    {
        await using var pve = await FakePveServer.StartAsync();
        using var client = Pve.Client(pve);

        await client.CreateBridgeAsync("pve", "vmbr1", ["enp2s0", "enp3s0"], mtu: 1508, comments: "PPPoE");

        var sent = pve.Last("POST", "/nodes/{node}/network");
        Assert.Equal(("vmbr1", "bridge", "enp2s0 enp3s0", "1", "1508", "PPPoE"), (sent["iface"], sent["type"], sent["bridge_ports"], sent["autostart"], sent["mtu"], sent["comments"]));
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.UpdateBridgeAsync))]
    public async Task Bridge_update_sends_only_what_changes()
    {
        await using var pve = await FakePveServer.StartAsync();
        using var client = Pve.Client(pve);

        await client.UpdateBridgeAsync("pve", "vmbr1", mtu: 1500);

        var sent = pve.Last("PUT", "/nodes/{node}/network/{iface}");
        Assert.Equal(("/nodes/pve/network/vmbr1", "bridge", "1500"), (sent.Path, sent["type"], sent["mtu"]));
        Assert.Null(sent["bridge_ports"]);
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.ApplyNetworkChangesAsync))]
    public async Task Network_apply_returns_its_task()
    {
        await using var pve = await FakePveServer.StartAsync();
        using var client = Pve.Client(pve);

        var upid = await client.ApplyNetworkChangesAsync("pve");

        Assert.Equal("pve", upid.Node);
        Assert.Contains(pve.Requests, r => r.Method == "PUT" && r.Template == "/nodes/{node}/network");
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}

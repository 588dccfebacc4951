using Appliance.Proxmox.Tests.FakePve;
using Appliance.Proxmox.Tests.Support;

namespace Appliance.Proxmox.Tests;

/// <summary>Discovery calls against the schema-generated node.</summary>
public sealed class ClusterContractTests
{
    [Fact]
    [Covers(nameof(ProxmoxClient.GetVersionAsync))]
    public async Task Version_reads_release_and_major()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/version", new { version = "9.1.2", release = "9.1", repoid = "4c1ab1fa59f2d0c7" });
        using var client = Pve.Client(pve);

        var version = await client.GetVersionAsync();

        Assert.Equal("9.1.2", version.Version);
        Assert.Equal(9, version.Major);
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.GetNodesAsync))]
    public async Task Nodes_carry_their_certificate_fingerprint()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/nodes", new object[]
        {
            new { node = "pve", status = "online", ssl_fingerprint = pve.Fingerprint, cpu = 0.02, maxcpu = 8, mem = 4_000_000_000L, maxmem = 16_000_000_000L, uptime = 3600 },
            new { node = "pve2", status = "offline" },
        });
        using var client = Pve.Client(pve);

        var nodes = await client.GetNodesAsync();

        Assert.Equal(["pve", "pve2"], nodes.Select(n => n.Node));
        Assert.Equal(pve.Fingerprint, nodes[0].SslFingerprint);
        Assert.Null(nodes[1].Cpu);
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.GetNodeStatusAsync))]
    public async Task Node_status_reads_memory_and_root_file_system()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/nodes/{node}/status", Pve.NodeStatus);
        using var client = Pve.Client(pve);

        var status = await client.GetNodeStatusAsync("pve");

        Assert.Equal(16_000_000_000L, status.Memory.Total);
        Assert.Equal(50_000_000_000L, status.RootFileSystem.Available);
        Assert.Equal(3, status.LoadAverage.Count);
        Assert.Equal("/nodes/pve/status", pve.Last("GET", "/nodes/{node}/status").Path);
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.GetClusterResourcesAsync))]
    public async Task Cluster_resources_filter_by_type_and_read_loose_numbers()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/cluster/resources", new object[]
        {
            new { id = "qemu/100", type = "qemu", node = "pve", status = "running", name = "appliance", vmid = 100, template = 0, maxmem = 2_147_483_648L, mem = 1_000_000_000L, cpu = 0.05, tags = "vpn;appliance" },
            new { id = "qemu/9000", type = "qemu", node = "pve", status = "stopped", name = "appliance-template", vmid = 9000, template = 1 },
        });
        using var client = Pve.Client(pve);

        var resources = await client.GetClusterResourcesAsync("vm");

        Assert.Equal("vm", pve.Last("GET", "/cluster/resources")["type"]);
        Assert.Equal(100, resources[0].VmId);
        Assert.False(resources[0].Template);
        Assert.True(resources[1].Template);
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.GetNextVmIdAsync))]
    public async Task Next_vmid_is_read_as_a_number()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/cluster/nextid", 101);
        using var client = Pve.Client(pve);

        Assert.Equal(101, await client.GetNextVmIdAsync());
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.GetCertificatesAsync))]
    public async Task Certificates_info_yields_the_cluster_ca_to_trust()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/nodes/{node}/certificates/info", new object[]
        {
            new { filename = "pve-root-ca.pem", fingerprint = Tls.CertificateFingerprint.Of(TestCertificates.ClusterAuthority), pem = TestCertificates.Pem(TestCertificates.ClusterAuthority), notafter = 2_000_000_000L, subject = TestCertificates.ClusterAuthority.Subject },
            new { filename = "pve-ssl.pem", fingerprint = pve.Fingerprint, san = new[] { "pve-test", "pve-test.lan" }, notafter = 1_900_000_000L },
        });
        using var client = Pve.Client(pve);

        var certificates = await client.GetCertificatesAsync("pve");

        var authority = Assert.Single(certificates, c => c.IsClusterAuthority);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", authority.Pem, StringComparison.Ordinal);
        Assert.Equal(["pve-test", "pve-test.lan"], certificates[1].SubjectAlternativeNames);
    }
}

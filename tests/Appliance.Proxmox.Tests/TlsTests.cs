using System.Net.Security;
using Appliance.Proxmox.Errors;
using Appliance.Proxmox.Http;
using Appliance.Proxmox.Tests.FakePve;
using Appliance.Proxmox.Tests.Support;
using Appliance.Proxmox.Tls;

namespace Appliance.Proxmox.Tests;

/// <summary>Trust of the node certificate over real TLS: leaf pin, cluster CA, first contact, connection pool.</summary>
public sealed class TlsTests
{
    [Fact]
    public async Task Pinned_leaf_is_trusted_although_its_name_does_not_match_the_address()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/version", new { version = "9.1.2", release = "9.1", repoid = "4c1ab1fa" });
        using var client = Pve.Client(pve);

        Assert.Equal("9.1", (await client.GetVersionAsync()).Release);
    }

    [Fact]
    public async Task Pin_is_compared_without_colons_and_case()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/version", new { version = "9.1.2", release = "9.1", repoid = "4c1ab1fa" });
        using var client = Pve.Client(pve, connection: pve.Connection(pin: pve.Fingerprint.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant()));

        Assert.Equal("9.1.2", (await client.GetVersionAsync()).Version);
    }

    [Fact]
    public async Task Wrong_pin_is_refused_naming_presented_and_pinned_fingerprints()
    {
        await using var pve = await FakePveServer.StartAsync();
        var wrongPin = CertificateFingerprint.Format(new byte[32]);
        using var client = Pve.Client(pve, connection: pve.Connection(pin: wrongPin));

        var thrown = await Assert.ThrowsAsync<ProxmoxException>(() => client.GetVersionAsync());

        Assert.Equal(ProxmoxErrorKind.Certificate, thrown.Error.Kind);
        Assert.Contains(pve.Fingerprint, thrown.Message, StringComparison.Ordinal);
        Assert.Contains($"not the pinned fingerprint {wrongPin}", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("Node → System → Certificates", thrown.Message, StringComparison.Ordinal);
        Assert.Empty(pve.Requests);
    }

    [Fact]
    public async Task Leaf_issued_by_the_trusted_cluster_ca_is_accepted_without_a_leaf_pin()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/version", new { version = "9.1.2", release = "9.1", repoid = "4c1ab1fa" });
        using var client = Pve.Client(pve, connection: pve.Connection(pin: null, caPem: TestCertificates.Pem(TestCertificates.ClusterAuthority)));

        Assert.Equal("9.1", (await client.GetVersionAsync()).Release);
    }

    [Fact]
    public async Task Leaf_of_another_cluster_is_refused_by_the_cluster_ca()
    {
        await using var pve = await FakePveServer.StartAsync();
        var (otherAuthority, otherNode) = TestCertificates.CreateCluster("elsewhere");
        using (otherNode)
        using (otherAuthority)
        {
            using var client = Pve.Client(pve, connection: pve.Connection(pin: null, caPem: TestCertificates.Pem(otherAuthority)));

            var thrown = await Assert.ThrowsAsync<ProxmoxException>(() => client.GetVersionAsync());

            Assert.Equal(ProxmoxErrorKind.Certificate, thrown.Error.Kind);
            Assert.Contains("not issued by the cluster CA", thrown.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Self_signed_node_without_pin_or_ca_is_refused()
    {
        await using var pve = await FakePveServer.StartAsync();
        using var client = Pve.Client(pve, connection: pve.Connection(pin: null));

        var thrown = await Assert.ThrowsAsync<ProxmoxException>(() => client.GetVersionAsync());

        Assert.Contains("no fingerprint is pinned", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task First_contact_probe_returns_the_presented_fingerprint_for_the_operator()
    {
        await using var pve = await FakePveServer.StartAsync();

        var presented = await FirstContactProbe.ProbeAsync(pve.BaseUrl);

        Assert.Equal(pve.Fingerprint, presented.Fingerprint);
        Assert.Contains("pve-test", presented.Subject, StringComparison.Ordinal);
        Assert.True(presented.PolicyErrors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.Empty(pve.Requests);
    }

    [Fact]
    public async Task Pool_drops_idle_connections_before_pveproxy_does_after_5_seconds()
    {
        await using var pve = await FakePveServer.StartAsync();
        using var client = Pve.Client(pve);

        Assert.True(client.Handler!.PooledConnectionIdleTimeout < TimeSpan.FromSeconds(5));
        Assert.Equal(ProxmoxHttpHandler.PooledConnectionIdleTimeout, client.Handler.PooledConnectionIdleTimeout);
        Assert.NotNull(client.Handler.SslOptions.RemoteCertificateValidationCallback);
    }

    [Theory]
    [InlineData("AB:CD", false)]
    [InlineData("zz00000000000000000000000000000000000000000000000000000000000000", false)]
    [InlineData("ab00000000000000000000000000000000000000000000000000000000000000", true)]
    [InlineData("AB:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00", true)]
    public void Fingerprint_text_is_checked_for_32_hex_bytes(string text, bool valid)
        => Assert.Equal(valid, CertificateFingerprint.TryNormalize(text, out _));
}

using Appliance.Proxmox.Tests.FakePve;
using Appliance.Proxmox.Tests.Support;
using Appliance.Proxmox.Tls;
using Appliance.Proxmox.Workflows.Connect;

namespace Appliance.Proxmox.Tests.Workflows;

/// <summary>The settings page's connect check against the schema-generated node over real TLS.</summary>
public sealed class ConnectionCheckTests
{
    private static ConnectionCheckRequest Request(FakePveServer pve, string? fingerprint = "", string secret = FakePveServer.Secret) => new()
    {
        BaseUrl = pve.BaseUrl,
        TokenId = FakePveServer.TokenId,
        Secret = secret,
        // "" stands for the fingerprint the operator confirmed on screen (the one the node presents).
        Fingerprint = fingerprint == "" ? pve.Fingerprint : fingerprint,
        FingerprintConfirmedOnScreen = fingerprint == "",
        ImageStorage = "local",
        DiskStorage = "local-lvm",
        Bridges = ["vmbr0", "vmbr1"],
    };

    private static void AnswerAsPve9(FakePveServer pve, Dictionary<string, object> permissions)
    {
        pve.Respond("GET", "/version", new { version = "9.1.2", release = "9.1", repoid = "4c1ab1fa" });
        pve.Respond("GET", "/nodes", new object[] { new { node = "pve", status = "online", ssl_fingerprint = pve.Fingerprint } });
        pve.Respond("GET", "/access/permissions", permissions);
        pve.Respond("GET", "/nodes/{node}/certificates/info", new object[]
        {
            new { filename = "pve-root-ca.pem", fingerprint = CertificateFingerprint.Of(TestCertificates.ClusterAuthority), pem = TestCertificates.Pem(TestCertificates.ClusterAuthority) },
        });
    }

    [Fact]
    public async Task A_node_that_accepts_and_stalls_is_a_result_naming_it_not_a_hang()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Stall.StallNext(1);

        var result = await new ConnectionCheck(new InstantDelayTimeProvider()) { ConnectTimeout = TimeSpan.FromSeconds(1) }.RunAsync(Request(pve));

        Assert.False(result.Connected);
        Assert.Contains($"could not reach Proxmox at {pve.BaseUrl.Authority}", result.Error, StringComparison.Ordinal);
        Assert.Contains("did not complete a TLS handshake within 1 s", result.Error, StringComparison.Ordinal);
        Assert.Empty(pve.Requests);
    }

    [Fact]
    public async Task The_confirmed_fingerprint_lists_nodes_and_names_missing_privileges_per_path()
    {
        await using var pve = await FakePveServer.StartAsync();
        // The fake answers every path with the same map: VM rights propagate from /vms, nothing else granted.
        AnswerAsPve9(pve, new Dictionary<string, object>
        {
            ["/vms"] = new Dictionary<string, int>
            {
                ["VM.Audit"] = 1, ["VM.PowerMgmt"] = 1, ["VM.Allocate"] = 1, ["VM.Clone"] = 1, ["VM.Config.Disk"] = 1, ["VM.Config.Network"] = 1,
                ["VM.Config.Cloudinit"] = 1, ["VM.Config.Options"] = 1, ["VM.Config.CPU"] = 1, ["VM.Config.Memory"] = 1,
                ["VM.GuestAgent.Audit"] = 1, ["VM.GuestAgent.FileWrite"] = 1,
            },
        });

        var result = await new ConnectionCheck(new InstantDelayTimeProvider()).RunAsync(Request(pve));

        Assert.True(result.Connected, result.Error);
        Assert.True(result.TrustedOnFirstContact);
        Assert.Equal(pve.Fingerprint, result.FingerprintSeen);
        Assert.Equal("pve", Assert.Single(result.Nodes).Node);
        Assert.Contains(result.MissingPrivileges, m => m.Path == "/vms" && m.Privilege == "VM.GuestAgent.FileRead");
        Assert.Contains(result.MissingPrivileges, m => m.Path == "/storage/local" && m.Privilege == "Datastore.AllocateTemplate");
        Assert.Contains(result.MissingPrivileges, m => m.Path == "/sdn/zones/localnetwork/vmbr1" && m.Privilege == "SDN.Use");
        Assert.DoesNotContain(result.MissingPrivileges, m => m.Privilege == "VM.PowerMgmt");
        Assert.False(result.Ready);
        Assert.Contains(result.PrivilegeAdvice, a => a.Contains("on /storage/local", StringComparison.Ordinal));
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", result.ClusterCaPem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Matching_fingerprint_with_all_privileges_is_ready()
    {
        await using var pve = await FakePveServer.StartAsync();
        var all = new[]
        {
            "VM.Audit", "VM.PowerMgmt", "VM.Allocate", "VM.Clone", "VM.Config.Disk", "VM.Config.Network", "VM.Config.Cloudinit", "VM.Config.Options",
            "VM.Config.CPU", "VM.Config.Memory", "VM.Config.HWType", "VM.GuestAgent.Audit", "VM.GuestAgent.FileWrite", "VM.GuestAgent.FileRead", "Datastore.AllocateTemplate",
            "Datastore.Audit", "Datastore.AllocateSpace", "Sys.Audit", "SDN.Use",
        };
        AnswerAsPve9(pve, new Dictionary<string, object> { ["/"] = all.ToDictionary(p => p, _ => 1) });

        var result = await new ConnectionCheck(new InstantDelayTimeProvider()).RunAsync(Request(pve, pve.Fingerprint.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant()));

        Assert.True(result.Ready, string.Join("; ", result.PrivilegeAdvice) + result.Error);
        Assert.False(result.TrustedOnFirstContact);
    }

    [Fact]
    public async Task Different_fingerprint_is_refused_before_the_token_is_sent()
    {
        await using var pve = await FakePveServer.StartAsync();
        var expected = CertificateFingerprint.Format(new byte[32]);

        var result = await new ConnectionCheck(new InstantDelayTimeProvider()).RunAsync(Request(pve, expected));

        Assert.False(result.Connected);
        Assert.Equal(pve.Fingerprint, result.FingerprintSeen);
        Assert.Contains(pve.Fingerprint, result.Error, StringComparison.Ordinal);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.Empty(pve.Requests);
    }

    [Fact]
    public async Task Wrong_secret_is_reported_without_echoing_it()
    {
        await using var pve = await FakePveServer.StartAsync();
        const string wrong = "00000000-0000-0000-0000-000000000000";

        var result = await new ConnectionCheck(new InstantDelayTimeProvider()).RunAsync(Request(pve, secret: wrong));

        Assert.False(result.Connected);
        Assert.Contains("refused the API token", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_address_and_bad_input_are_results_not_exceptions()
    {
        var check = new ConnectionCheck(new InstantDelayTimeProvider());
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var unreachable = await check.RunAsync(new ConnectionCheckRequest { BaseUrl = new Uri($"https://127.0.0.1:{port}"), TokenId = FakePveServer.TokenId, Secret = FakePveServer.Secret });
        var invalid = await check.RunAsync(new ConnectionCheckRequest { BaseUrl = new Uri("http://pve.lan:8006"), TokenId = "panel", Secret = "" });

        Assert.Contains("could not reach Proxmox", unreachable.Error, StringComparison.Ordinal);
        Assert.Contains("is not an absolute https:// URL", invalid.Error, StringComparison.Ordinal);
        Assert.Contains("Secret is missing", invalid.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_fingerprint_only_the_certificate_is_read_and_no_token_is_sent()
    {
        await using var pve = await FakePveServer.StartAsync();
        AnswerAsPve9(pve, new Dictionary<string, object>());

        var result = await new ConnectionCheck(new InstantDelayTimeProvider()).RunAsync(Request(pve, fingerprint: null));

        Assert.True(result.NeedsConfirmation);
        Assert.False(result.Connected);
        Assert.Null(result.Error);
        Assert.Equal(pve.Fingerprint, result.FingerprintSeen);
        Assert.Equal(pve.Certificate.Subject, result.Certificate!.Subject);
        Assert.Empty(pve.Requests);
    }

    [Fact]
    public async Task A_node_whose_certificates_cannot_be_read_still_connects_with_a_note()
    {
        await using var pve = await FakePveServer.StartAsync();
        AnswerAsPve9(pve, new Dictionary<string, object> { ["/vms"] = new Dictionary<string, int> { ["VM.Audit"] = 1 } });
        pve.Fail("GET", "/nodes/{node}/certificates/info", 403, "Permission check failed (/nodes/pve, Sys.Audit)");

        var result = await new ConnectionCheck(new InstantDelayTimeProvider()).RunAsync(Request(pve));

        Assert.True(result.Connected, result.Error);
        Assert.Null(result.ClusterCaPem);
        Assert.Contains("cluster CA could not be read", Assert.Single(result.Notes), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[{\"filename\": [1, 2]}]")]
    [InlineData("{\"filename\": \"pve-root-ca.pem\"}")]
    [InlineData("\"text\"")]
    public void An_answer_of_the_wrong_shape_is_described_without_dotnet_type_names(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);

        var error = Assert.Throws<Appliance.Proxmox.Errors.ProxmoxException>(() =>
            ProxmoxClient.Read<IReadOnlyList<Appliance.Proxmox.Models.CertificateInfo>>(document.RootElement, "GET /nodes/pve/certificates/info"));

        Assert.DoesNotMatch(@"`\d|List|IReadOnly|System\.|CertificateInfo|String", error.Message);
        Assert.DoesNotMatch(@"`\d|List|IReadOnly|System\.|CertificateInfo|String", error.Error.Reason);
        Assert.Contains("GET /nodes/pve/certificates/info", error.Message, StringComparison.Ordinal);
    }
}

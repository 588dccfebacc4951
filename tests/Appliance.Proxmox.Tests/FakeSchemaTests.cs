using System.Net;
using System.Text;
using Appliance.Proxmox.Tests.FakePve;
using Appliance.Proxmox.Tls;

namespace Appliance.Proxmox.Tests;

/// <summary>The fake is generated from the schema and refuses what a PVE 9.1 node refuses.</summary>
public sealed class FakeSchemaTests
{
    [Fact]
    public void Route_table_holds_all_649_method_specs_of_the_schema()
        => Assert.Equal(649, ApiSchema.Pve91.Endpoints.Count);

    [Theory]
    [InlineData("/nodes/pve/qemu/100/status/start", "/nodes/{node}/qemu/{vmid}/status/start")]
    [InlineData("/nodes/pve/tasks/UPID:pve:00001234:00005678:65000000:qmstart:100:panel@pve!appliance:/status", "/nodes/{node}/tasks/{upid}/status")]
    [InlineData("/nodes/pve/storage/local/upload", "/nodes/{node}/storage/{storage}/upload")]
    [InlineData("/cluster/resources", "/cluster/resources")]
    public void Concrete_paths_resolve_to_schema_templates(string path, string template)
    {
        Assert.True(ApiSchema.Pve91.TryMatch(path, out var found, out _, out _));
        Assert.Equal(template, found);
    }

    [Fact]
    public void Path_variables_are_captured()
    {
        ApiSchema.Pve91.TryMatch("/nodes/pve1/qemu/123/config", out _, out _, out var variables);
        Assert.Equal("pve1", variables["node"]);
        Assert.Equal("123", variables["vmid"]);
    }

    public static TheoryData<string, string, string, string> Refusals => new()
    {
        // name, method, path + query or body, the parameter the violation must name
        { "boolean true", "POST", "/nodes/pve/qemu/100/clone|newid=101&full=true", "full" },
        { "raw semicolon in boot", "POST", "/nodes/pve/qemu/100/config|boot=order=scsi0;net0", "boot" },
        { "unknown parameter", "POST", "/nodes/pve/qemu/100/status/start|turbo=1", "turbo" },
        { "missing required", "POST", "/nodes/pve/qemu/100/clone|name=copy", "newid" },
        { "enum value", "GET", "/nodes/pve/qemu/100/rrddata|timeframe=minute", "timeframe" },
        { "vmid below 100", "GET", "/nodes/pve/qemu/99/status/current|", "vmid" },
        { "bad node name", "GET", "/nodes/pve_1/qemu|", "node" },
        { "unknown key in net property string", "POST", "/nodes/pve/qemu/100/config|net0=virtio,bridge=vmbr1,colour=blue", "net0" },
        { "multicast MAC", "POST", "/nodes/pve/qemu/100/config|net0=virtio%3D01%3A00%3A5E%3A00%3A00%3A01%2Cbridge%3Dvmbr1", "net0" },
        { "missing file in scsi", "POST", "/nodes/pve/qemu/100/config|scsi0=ssd%3D1", "scsi0" },
        { "sshkeys not percent-encoded", "POST", "/nodes/pve/qemu/100/config|sshkeys=ssh-ed25519%20AAAA%2Fx%20op%40host", "sshkeys" },
        { "bad ipconfig", "POST", "/nodes/pve/qemu/100/config|ipconfig0=ip%3D10.0.0.1", "ipconfig0" },
        { "repeated key", "PUT", "/nodes/pve/qemu/100/firewall/options|enable=1&enable=0", "enable" },
        { "upload content enum", "GET", "/nodes/pve/storage/local/content|content=movies", "content" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Schema_violation_is_refused_with_400_naming_the_parameter(string name, string method, string request, string parameter)
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.ExpectViolations();
        var (path, data) = (request.Split('|')[0], request.Split('|')[1]);
        using var http = RawClient(pve);
        using var message = new HttpRequestMessage(new HttpMethod(method), method == "GET" ? $"/api2/json{path}?{data}" : $"/api2/json{path}");
        if (method != "GET")
            message.Content = new StringContent(data, Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await http.SendAsync(message);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(pve.Violations, v => v.Parameter == parameter);
        Assert.Contains($"\"{parameter}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotNull(name);
    }

    [Fact]
    public async Task Unknown_path_is_a_violation_answered_501()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.ExpectViolations();
        using var http = RawClient(pve);
        using var response = await http.GetAsync("/api2/json/nodes/pve/qemu/100/teleport");
        Assert.Equal(501, (int)response.StatusCode);
        Assert.Contains(pve.Violations, v => v.Reason.Contains("no such path", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Violations_fail_the_test_at_dispose()
    {
        var pve = await FakePveServer.StartAsync();
        using (var http = RawClient(pve))
            await http.PostAsync("/api2/json/nodes/pve/qemu/100/status/start", new FormUrlEncodedContent([new("skiplock", "true")]));
        var thrown = await Assert.ThrowsAsync<SchemaViolationException>(async () => await pve.DisposeAsync());
        Assert.Contains("parameter 'skiplock': boolean must be 1 or 0", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Canned_answer_missing_a_required_property_is_refused()
    {
        await using var pve = await FakePveServer.StartAsync();
        var thrown = Assert.Throws<ArgumentException>(() => pve.Respond("GET", "/nodes", new[] { new { node = "pve" } }));
        Assert.Contains("data[0]: missing required property 'status'", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Canned_answer_with_a_value_outside_the_enum_is_refused()
    {
        await using var pve = await FakePveServer.StartAsync();
        var thrown = Assert.Throws<ArgumentException>(() => pve.Respond("GET", "/nodes/{node}/qemu", new[] { new { vmid = 100, status = "sleeping" } }));
        Assert.Contains("data[0].status", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers_are_synthesized_from_returns_when_none_is_canned()
    {
        await using var pve = await FakePveServer.StartAsync();
        using var http = RawClient(pve);
        var body = await http.GetStringAsync("/api2/json/nodes/pve/qemu/100/status/current");
        Assert.Contains("\"vmid\":100", body, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"stopped\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_token_is_answered_401()
    {
        await using var pve = await FakePveServer.StartAsync();
        using var http = RawClient(pve, "PVEAPIToken=panel@pve!appliance=wrong");
        using var response = await http.GetAsync("/api2/json/version");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static HttpClient RawClient(FakePveServer pve, string? authorization = null)
    {
        var fingerprint = pve.Fingerprint;
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is not null && CertificateFingerprint.AreEqual(CertificateFingerprint.Of(new(certificate)), fingerprint);
        var http = new HttpClient(handler) { BaseAddress = pve.BaseUrl };
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization ?? $"PVEAPIToken={FakePveServer.TokenId}={FakePveServer.Secret}");
        return http;
    }
}

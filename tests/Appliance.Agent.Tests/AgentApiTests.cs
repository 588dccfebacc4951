using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Appliance.Agent.Tests.Support;
using Appliance.Contracts;

namespace Appliance.Agent.Tests;

/// <summary>The control API of the real daemon: authentication, pairing, clients, config, stream, metrics, interfaces.</summary>
[Trait("Category", "EndToEnd")]
[SupportedOSPlatform("linux")]
public sealed partial class AgentApiTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private AgentDaemon Daemon => fixture.Daemon;

    private HttpClient Raw(string? token)
    {
        var http = new HttpClient(AgentApiClient.CreatePinnedHandler(Daemon.Access.Fingerprint)) { BaseAddress = Daemon.Url, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    [Fact]
    public async Task Every_route_but_liveness_and_the_pairing_proof_refuses_a_missing_or_wrong_token()
    {
        using var authorized = Raw(Daemon.Access.Token);
        using var document = JsonDocument.Parse(await authorized.GetStringAsync(ApiRoutes.OpenApi));
        var routes = new List<(HttpMethod Method, string Path)> { (HttpMethod.Get, ApiRoutes.OpenApi), (HttpMethod.Get, ApiRoutes.Metrics) };
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            string concrete = path.Name.Replace("{id}", "0123456789abcdef", StringComparison.Ordinal).Replace("{name}", "nobody", StringComparison.Ordinal);
            foreach (var operation in path.Value.EnumerateObject())
                routes.Add((new HttpMethod(operation.Name.ToUpperInvariant()), concrete));
        }
        Assert.Contains(routes, r => r.Path == ApiRoutes.Config && r.Method == HttpMethod.Put);
        Assert.Equal("bearer", document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer").GetProperty("scheme").GetString());
        Assert.True(routes.Count > 20, $"only {routes.Count} routes found in the OpenAPI document");

        using var anonymous = Raw(null);
        using var wrong = Raw("not-the-token");
        var open = new List<string>();
        foreach (var (method, path) in routes)
        {
            foreach (var client in new[] { anonymous, wrong })
            {
                using var request = new HttpRequestMessage(method, path);
                if (method != HttpMethod.Get && method != HttpMethod.Delete)
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                using var response = await client.SendAsync(request);
                if (response.StatusCode != HttpStatusCode.Unauthorized)
                    open.Add($"{method} {path} -> {(int)response.StatusCode}");
            }
        }
        // The proof answers the empty body with 400 (no nonce): anonymous, but nothing else is.
        Assert.Equal([$"POST {ApiRoutes.PairingProof} -> 400", $"POST {ApiRoutes.PairingProof} -> 400"], open);

        using var liveness = await anonymous.GetAsync(ApiRoutes.Liveness);
        Assert.Equal("ok", await liveness.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_preset_token_was_adopted_and_the_pairing_proof_verifies_with_it()
    {
        Assert.False(File.Exists(Daemon.PairingTokenPath), "the preset token file should be deleted once adopted");
        Assert.DoesNotContain(DaemonFixture.PairingToken, Daemon.Output, StringComparison.Ordinal);

        string fingerprint = await AgentApiClient.PairAsync(Daemon.Url, DaemonFixture.PairingToken);

        Assert.Equal(Daemon.Access.Fingerprint, fingerprint);
        Assert.Equal(fingerprint, (await File.ReadAllTextAsync(Path.Combine(Daemon.StatePath, "api.fingerprint"))).Trim());
        var paired = new AgentApiClient(AgentApiClient.CreateHttpClient(new AgentEndpoint(Daemon.Url, DaemonFixture.PairingToken, fingerprint)));
        Assert.Equal("appliance", (await paired.GetHealthAsync()).ServerName);
    }

    [Fact]
    public async Task Pairing_with_a_wrong_token_and_a_pin_of_another_certificate_are_refused()
    {
        var wrongToken = await Assert.ThrowsAsync<AgentApiException>(() => AgentApiClient.PairAsync(Daemon.Url, "some-other-token-0123456789"));
        Assert.Equal(AgentApiFailure.Unauthorized, wrongToken.Failure);

        string otherFingerprint = string.Join(':', Enumerable.Repeat("AB", 32));
        var pinnedElsewhere = new AgentApiClient(AgentApiClient.CreateHttpClient(new AgentEndpoint(Daemon.Url, DaemonFixture.PairingToken, otherFingerprint)));
        var refused = await Assert.ThrowsAsync<AgentApiException>(() => pinnedElsewhere.GetHealthAsync());
        Assert.Equal(AgentApiFailure.Refused, refused.Failure);
    }

    [Fact]
    public async Task Clients_are_issued_listed_revoked_with_conflicts_and_unknown_names_told_apart()
    {
        var issued = await Daemon.Api.IssueClientAsync(new IssueClientRequest("api-alice"));
        Assert.Equal("active", issued.Status);
        Assert.Matches("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", issued.CertificateFingerprint);

        var again = await Assert.ThrowsAsync<AgentApiException>(() => Daemon.Api.IssueClientAsync(new IssueClientRequest("api-alice")));
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        var badName = await Assert.ThrowsAsync<AgentApiException>(() => Daemon.Api.IssueClientAsync(new IssueClientRequest("no spaces/allowed")));
        Assert.Equal(HttpStatusCode.BadRequest, badName.Status);
        Assert.Contains("name", badName.Errors.Keys);
        var past = await Assert.ThrowsAsync<AgentApiException>(() => Daemon.Api.IssueClientAsync(new IssueClientRequest("api-past", DateTimeOffset.UtcNow.AddDays(-1))));
        Assert.Contains("expiresAt", past.Errors.Keys);

        Assert.Contains(await Daemon.Api.GetClientsAsync(), c => c.Name == "api-alice");
        var revoked = await Daemon.Api.RevokeClientAsync("api-alice");
        Assert.Equal("revoked", revoked.Status);
        Assert.Equal("revoked", (await Daemon.Api.GetClientAsync("api-alice")).Status);
        var twice = await Assert.ThrowsAsync<AgentApiException>(() => Daemon.Api.RevokeClientAsync("api-alice"));
        Assert.Equal(HttpStatusCode.Conflict, twice.Status);
        var unknown = await Assert.ThrowsAsync<AgentApiException>(() => Daemon.Api.GetClientAsync("api-nobody"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        var unknownSession = await Assert.ThrowsAsync<AgentApiException>(() => Daemon.Api.GetSessionAsync("0123456789abcdef"));
        Assert.Equal(HttpStatusCode.NotFound, unknownSession.Status);
        var unknownCapture = await Assert.ThrowsAsync<AgentApiException>(() => Daemon.Api.GetCaptureAsync("nope"));
        Assert.Equal(HttpStatusCode.NotFound, unknownCapture.Status);
    }

    [Fact]
    public async Task Disable_and_enable_are_stored_and_shown()
    {
        await Daemon.Api.IssueClientAsync(new IssueClientRequest("api-dora"));

        Assert.Equal("disabled", (await Daemon.Api.DisableClientAsync("api-dora")).Status);
        Assert.True((await Daemon.Api.GetClientAsync("api-dora")).Disabled);
        Assert.Equal("active", (await Daemon.Api.EnableClientAsync("api-dora")).Status);
    }

    [Fact]
    public async Task Concurrent_sessions_are_off_until_allowed_per_client_and_refused_for_an_unknown_one()
    {
        await Daemon.Api.IssueClientAsync(new IssueClientRequest("api-cora"));

        Assert.False((await Daemon.Api.GetClientAsync("api-cora")).AllowConcurrent);
        Assert.True((await Daemon.Api.SetConcurrentSessionsAsync("api-cora", allowed: true)).AllowConcurrent);
        Assert.True((await Daemon.Api.GetClientAsync("api-cora")).AllowConcurrent);
        var unknown = await Assert.ThrowsAsync<AgentApiException>(() => Daemon.Api.SetConcurrentSessionsAsync("api-nobody", allowed: true));
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
    }

    [Fact]
    public async Task A_profile_comes_as_a_named_file_for_the_transport_and_platform()
    {
        await Daemon.Api.IssueClientAsync(new IssueClientRequest("api-paul"));

        var (fileName, content) = await Daemon.Api.GetProfileAsync("api-paul", "tcp", "linux");
        var notes = await Daemon.Api.GetProfileNotesAsync("windows");

        Assert.Equal("api-paul-tcp.ovpn", fileName);
        Assert.Contains("proto tcp-client", content, StringComparison.Ordinal);
        Assert.Matches(@"remote 127\.0\.0\.1 \d+", content);
        Assert.Contains("<tls-crypt-v2>\n-----BEGIN OpenVPN tls-crypt-v2 client key-----", content, StringComparison.Ordinal);
        Assert.DoesNotContain("<tls-crypt>", content, StringComparison.Ordinal);
        Assert.Contains(notes.Notes, n => n.Contains("TAP-Windows6", StringComparison.Ordinal));
        var badPlatform = await Assert.ThrowsAsync<AgentApiException>(() => Daemon.Api.GetProfileAsync("api-paul", "udp", "amiga"));
        Assert.Contains("platform", badPlatform.Errors.Keys);
        var (_, old) = await Daemon.Api.GetProfileAsync("api-paul", "udp", "linux", "tls-crypt");
        Assert.Contains("<tls-crypt>\n", old, StringComparison.Ordinal);
        Assert.Contains("-----BEGIN OpenVPN Static key V1-----", old, StringComparison.Ordinal);
        Assert.DoesNotContain("<tls-crypt-v2>", old, StringComparison.Ordinal);
        var badWrap = await Assert.ThrowsAsync<AgentApiException>(() => Daemon.Api.GetProfileAsync("api-paul", "udp", "linux", "tls-auth"));
        Assert.Contains("wrap", badWrap.Errors.Keys);
    }

    [Fact]
    public async Task Malformed_json_and_unknown_fields_are_refused_naming_the_problem()
    {
        using var http = Raw(Daemon.Access.Token);

        using var malformed = await http.PostAsync(ApiRoutes.Clients, new StringContent("{\"name\":", Encoding.UTF8, "application/json"));
        using var unknownField = await http.PostAsync(ApiRoutes.Clients, new StringContent("{\"name\":\"x1\",\"colour\":\"red\"}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, unknownField.StatusCode);
        Assert.Contains("colour", await unknownField.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await Assert.ThrowsAsync<AgentApiException>(() => Daemon.Api.GetClientAsync("x1"));
    }

    [Fact]
    public async Task An_invalid_config_is_refused_with_every_bad_key_and_changes_nothing()
    {
        var before = await Daemon.Api.GetConfigAsync();
        string fileBefore = File.ReadAllText(Daemon.ConfigPath);
        var bad = before with
        {
            Tunnel = before.Tunnel with { Listen = ["udp 127.0.0.1:0", "udp 0.0.0.0:99999"] },
            Switch = before.Switch with { Policy = "everything", SessionMacLimit = 0 },
        };

        var refused = await Assert.ThrowsAsync<AgentApiException>(() => Daemon.Api.PutConfigAsync(bad));

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal(["switch.policy", "switch.sessionMacLimit", "tunnel.listen[1]"], refused.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(JsonSerializer.Serialize(before), JsonSerializer.Serialize(await Daemon.Api.GetConfigAsync()));
        Assert.Equal(fileBefore, File.ReadAllText(Daemon.ConfigPath));
    }

    [Fact]
    public async Task An_ended_session_not_kept_is_404_by_name_and_a_retention_outside_1_to_100_is_refused()
    {
        var missing = await Assert.ThrowsAsync<AgentApiException>(() => Daemon.Api.GetEndedSessionAsync("00000000deadbeef"));
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Contains("no ended session", missing.Message, StringComparison.Ordinal);

        var before = await Daemon.Api.GetConfigAsync();
        var refused = await Assert.ThrowsAsync<AgentApiException>(() =>
            Daemon.Api.PutConfigAsync(before with { Tunnel = before.Tunnel with { EndedSessionsPerClient = 0 } }));
        Assert.Equal(["tunnel.endedSessionsPerClient"], refused.Errors.Keys);
        Assert.Equal(before.Tunnel.EndedSessionsPerClient, (await Daemon.Api.GetConfigAsync()).Tunnel.EndedSessionsPerClient);
    }

    [Fact]
    public async Task A_config_with_a_missing_section_is_refused_as_malformed()
    {
        using var http = Raw(Daemon.Access.Token);
        using var response = await http.PutAsync(ApiRoutes.Config, new StringContent("{\"api\":{\"listen\":\"127.0.0.1:0\"}}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("tunnel", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_stream_delivers_a_tick_per_interval()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ticks = new List<SessionsUpdateDto>();
        await foreach (var update in Daemon.Api.StreamSessionsAsync(TimeSpan.FromMilliseconds(250), cts.Token))
        {
            ticks.Add(update);
            if (ticks.Count == 3)
                break;
        }

        Assert.Equal(3, ticks.Count);
        Assert.True(ticks[2].TakenAt > ticks[0].TakenAt);
        Assert.NotNull(ticks[0].Uplink);
        var tooFast = await Assert.ThrowsAsync<AgentApiException>(async () =>
        {
            await foreach (var _ in Daemon.Api.StreamSessionsAsync(TimeSpan.FromMilliseconds(10), cts.Token))
                break;
        });
        Assert.Equal(HttpStatusCode.BadRequest, tooFast.Status);
    }

    [Fact]
    public async Task Metrics_parse_as_prometheus_text_with_the_uplink_series()
    {
        string text = await Daemon.Api.GetMetricsAsync();

        var samples = PrometheusSamples(text);
        Assert.Contains(samples, s => s.Name == "appliance_port_frames_total" && s.Labels.Contains("port=\"uplink\"", StringComparison.Ordinal) && s.Labels.Contains("direction=\"in\"", StringComparison.Ordinal));
        Assert.Contains(samples, s => s.Name == "appliance_port_frames_by_size_total" && s.Labels.Contains("size=\"14-33\"", StringComparison.Ordinal));
        Assert.Contains(samples, s => s.Name == "appliance_sessions");
        Assert.Contains(samples, s => s.Name == "appliance_clients");
    }

    [Fact]
    public async Task Host_interfaces_show_the_uplink_bridge_with_the_agents_tap()
    {
        var interfaces = await Daemon.Api.GetInterfacesAsync();

        var bridge = Assert.Single(interfaces, i => i.Name == fixture.Bridge.Name);
        Assert.Equal("bridge", bridge.Kind);
        Assert.Contains(fixture.Bridge.TapName, bridge.Members);
        Assert.Equal("uplink", bridge.UsedBy);
        var tap = Assert.Single(interfaces, i => i.Name == fixture.Bridge.TapName);
        Assert.Equal("tap", tap.Kind);
        Assert.Equal(fixture.Bridge.Name, tap.Master);
        Assert.Equal("loopback", Assert.Single(interfaces, i => i.Name == "lo").Kind);
    }

    [Fact]
    public async Task Health_names_the_uplink_and_the_bound_listeners()
    {
        var health = await Daemon.Api.GetHealthAsync();

        Assert.Equal(fixture.Bridge.Name, health.Uplink);
        Assert.Equal("tap-on-bridge", health.UplinkKind);
        Assert.Contains(health.Listeners, l => Regex.IsMatch(l, @"^udp 127\.0\.0\.1:[1-9]\d*$"));
        Assert.Contains(health.Listeners, l => Regex.IsMatch(l, @"^tcp 127\.0\.0\.1:[1-9]\d*$"));
        Assert.Null(health.Lab);
    }

    /// <summary>Every line is a comment or <c>name{labels} integer</c>; answers the samples.</summary>
    internal static List<(string Name, string Labels, long Value)> PrometheusSamples(string text)
    {
        var samples = new List<(string, string, long)>();
        var declared = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                declared.Add(line.Split(' ')[2]);
                continue;
            }
            if (line.StartsWith('#'))
                continue;
            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not a Prometheus sample line: '{line}'");
            Assert.Contains(match.Groups["name"].Value, declared);
            samples.Add((match.Groups["name"].Value, match.Groups["labels"].Value, long.Parse(match.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture)));
        }
        return samples;
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*)\})? (?<value>-?\d+)$""")]
    private static partial Regex SampleLine();
}

using System.Net;
using System.Net.Http.Headers;
using System.Runtime.Versioning;
using System.Text;
using Appliance.Agent.Api;
using Appliance.Agent.Tests.Support;
using Appliance.Contracts;

namespace Appliance.Agent.Tests;

/// <summary>The real daemon's tokens: what the read-only metrics token may do, and the audit log of who did what.</summary>
[Trait("Category", "EndToEnd")]
[SupportedOSPlatform("linux")]
public sealed class AgentTokenTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private static readonly System.Text.Json.JsonSerializerOptions WebJson = new(System.Text.Json.JsonSerializerDefaults.Web);

    private AgentDaemon Daemon => fixture.Daemon;

    private HttpClient Raw(string? token)
    {
        var http = new HttpClient(AgentApiClient.CreatePinnedHandler(Daemon.Access.Fingerprint)) { BaseAddress = Daemon.Url, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private string MetricsTokenText => File.ReadAllText(Path.Combine(Daemon.StatePath, MetricsToken.FileName)).Trim();

    [Fact]
    public async Task The_metrics_token_reads_metrics_and_health_and_is_refused_everything_else()
    {
        await Daemon.Api.IssueClientAsync(new IssueClientRequest("scope-sam"));
        using var metrics = Raw(MetricsTokenText);

        var allowed = new[] { ApiRoutes.Metrics, ApiRoutes.Health };
        var refused = new List<(HttpMethod, string)>
        {
            (HttpMethod.Get, ApiRoutes.Clients), (HttpMethod.Get, ApiRoutes.ClientProfile("scope-sam")), (HttpMethod.Get, ApiRoutes.Config),
            (HttpMethod.Put, ApiRoutes.Config), (HttpMethod.Post, ApiRoutes.Clients), (HttpMethod.Get, ApiRoutes.Sessions), (HttpMethod.Get, ApiRoutes.Captures),
        };

        foreach (string path in allowed)
            Assert.Equal(HttpStatusCode.OK, (await metrics.GetAsync(path)).StatusCode);
        foreach (var (method, path) in refused)
        {
            using var request = new HttpRequestMessage(method, path);
            if (method != HttpMethod.Get)
                request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            using var response = await metrics.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} answered {(int)response.StatusCode} to the metrics token");
            Assert.Contains("token-scope", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Daemon.StatePath, MetricsToken.FileName)));
    }

    [Fact]
    public async Task The_audit_log_names_the_token_the_action_and_the_address_and_never_a_token()
    {
        await Daemon.Api.IssueClientAsync(new IssueClientRequest("audit-ann"));
        await Daemon.Api.GetProfileAsync("audit-ann", "udp", "linux");
        await Daemon.Api.GetHealthAsync();
        using (var wrong = Raw("a-wrong-token-for-the-audit"))
            await wrong.PostAsync(ApiRoutes.ClientRevoke("audit-ann"), null);
        using (var metrics = Raw(MetricsTokenText))
            await metrics.PostAsync(ApiRoutes.ClientRevoke("audit-ann"), null);

        string path = Path.Combine(Daemon.StatePath, ApiAuditLog.FileName);
        string text = await File.ReadAllTextAsync(path);
        var entries = text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => System.Text.Json.JsonSerializer.Deserialize<ApiAuditEntry>(l, AgentApiClient.Json)!)
            .ToList();

        Assert.Contains(entries, e => e is { Token: "local", Method: "POST", Path: ApiRoutes.Clients, Status: 201, Remote: "127.0.0.1" });
        Assert.Contains(entries, e => e.Token == "local" && e.Method == "GET" && e.Path == "/api/v1/clients/audit-ann/profile" && e.Status == 200);
        Assert.Contains(entries, e => e is { Token: "wrong", Status: 401 } && e.Path == "/api/v1/clients/audit-ann/revoke");
        Assert.Contains(entries, e => e is { Token: "metrics", Status: 403 } && e.Path == "/api/v1/clients/audit-ann/revoke");
        Assert.DoesNotContain(entries, e => e.Path == ApiRoutes.Health);
        Assert.DoesNotContain(Daemon.Access.Token, text, StringComparison.Ordinal);
        Assert.DoesNotContain("a-wrong-token-for-the-audit", text, StringComparison.Ordinal);
        Assert.DoesNotContain(MetricsTokenText, text, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }
    [Fact]
    public async Task A_profile_is_refused_once_the_client_has_expired_its_key_being_gone()
    {
        await Daemon.Api.IssueClientAsync(new IssueClientRequest("expiring-eve", DateTimeOffset.UtcNow.AddSeconds(3)));
        var (_, before) = await Daemon.Api.GetProfileAsync("expiring-eve", "udp", "linux");
        await Task.Delay(TimeSpan.FromSeconds(4));

        using var local = Raw(Daemon.Access.Token);
        using var after = await local.GetAsync(ApiRoutes.ClientProfile("expiring-eve"));

        Assert.Contains("<key>", before, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, after.StatusCode);
        Assert.Contains("client-expired", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

/// <summary>A burst of wrong tokens from one address is stopped (its own daemon: the address stays blocked for a minute).</summary>
[Trait("Category", "EndToEnd")]
[SupportedOSPlatform("linux")]
public sealed class FailedBearerLimitTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    [Fact]
    public async Task Past_the_limit_of_wrong_tokens_the_address_gets_429_even_with_the_right_token()
    {
        var daemon = fixture.Daemon;
        using var wrong = new HttpClient(AgentApiClient.CreatePinnedHandler(daemon.Access.Fingerprint)) { BaseAddress = daemon.Url };
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "guess");
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < FailedBearerAttempts.Limit + 1; i++)
            statuses.Add((await wrong.GetAsync(ApiRoutes.Clients)).StatusCode);

        var right = await Assert.ThrowsAsync<AgentApiException>(() => daemon.Api.GetClientsAsync());
        using var blocked = await wrong.GetAsync(ApiRoutes.Clients);

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, FailedBearerAttempts.Limit).Append(HttpStatusCode.TooManyRequests), statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, right.Status);
        Assert.NotNull(blocked.Headers.RetryAfter);
        Assert.Contains("too-many-wrong-tokens", await blocked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

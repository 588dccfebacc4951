using System.Net;
using Appliance.Web.Agents;
using Appliance.Web.Audit;
using Appliance.Web.Downloads;
using Appliance.Web.Tests.AgentsSupport;
using Appliance.Web.Tests.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Web.Tests.Downloads;

public sealed class DownloadLinkEndpointTests : IDisposable
{
    private readonly AgentPanelFactory _panel = new();

    public void Dispose() => _panel.Dispose();

    private async Task<string> IssueLinkAsync(string platform = "windows", TimeSpan? validity = null)
    {
        (await _panel.SetUpAsync()).Dispose();
        long agentId = await _panel.PairAgentAsync();
        var links = _panel.Services.GetRequiredService<DownloadLinks>();
        var issued = await links.CreateAsync(new PanelOperator(new AuditActor("admin", null), true), agentId, "alice", "udp", platform, validity ?? DownloadLinks.DefaultValidity);
        return issued.Token;
    }

    [Fact]
    public async Task Link_page_works_without_sign_in_and_shows_the_notes_and_a_download_button()
    {
        string token = await IssueLinkAsync();
        using var anonymous = _panel.NewClient();

        var response = await anonymous.GetAsync("/d/" + token);
        string html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("TAP-Windows6 9.25", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"download-button\"", html, StringComparison.Ordinal);
        Assert.True(response.Headers.CacheControl?.NoStore, "the page with the token must not be cached");
    }

    [Fact]
    public async Task Link_downloads_once_then_answers_410()
    {
        string token = await IssueLinkAsync("linux");
        using var anonymous = _panel.NewClient();

        var first = await anonymous.Http.PostAsync($"/d/{token}/profile", null);
        var second = await anonymous.Http.PostAsync($"/d/{token}/profile", null);
        var page = await anonymous.GetAsync("/d/" + token);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("alice.ovpn", first.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Contains("# alice udp linux", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Gone, second.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, page.StatusCode);
        Assert.Equal(1, _panel.Agent.ProfileRequests);
    }

    [Fact]
    public async Task Unknown_link_answers_404()
    {
        (await _panel.SetUpAsync()).Dispose();
        using var anonymous = _panel.NewClient();

        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/d/" + DownloadToken.New())).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.Http.PostAsync($"/d/{DownloadToken.New()}/profile", null)).StatusCode);
    }

    [Fact]
    public async Task Expired_link_answers_410()
    {
        string token = await IssueLinkAsync(validity: TimeSpan.FromHours(1));
        _panel.Clock.Advance(TimeSpan.FromHours(1));
        using var anonymous = _panel.NewClient();

        Assert.Equal(HttpStatusCode.Gone, (await anonymous.Http.PostAsync($"/d/{token}/profile", null)).StatusCode);
        Assert.Equal(0, _panel.Agent.ProfileRequests);
    }

    [Fact]
    public async Task Using_a_link_is_audited_with_the_address()
    {
        string token = await IssueLinkAsync();
        using var anonymous = _panel.NewClient();
        await anonymous.Http.PostAsync($"/d/{token}/profile", null);

        var entries = await _panel.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery(Action: "downloads."));

        Assert.Contains(entries, e => e.Action == AgentAuditActions.DownloadLinkCreated);
        Assert.Contains(entries, e => e.Action == AgentAuditActions.DownloadLinkUsed && e.Target == "alice");
    }

    [Fact]
    public async Task Link_requests_are_rate_limited_per_address()
    {
        _panel.Settings["Downloads:RequestsPerMinute"] = "3";
        string token = await IssueLinkAsync();
        using var anonymous = _panel.NewClient();

        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 5; i++)
            statuses.Add((await anonymous.GetAsync("/d/" + token)).StatusCode);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task Upper_case_link_paths_count_against_the_same_limit()
    {
        _panel.Settings["Downloads:RequestsPerMinute"] = "2";
        string token = await IssueLinkAsync();
        using var anonymous = _panel.NewClient();

        var statuses = new List<HttpStatusCode>();
        foreach (string path in new[] { "/d/" + token, "/D/" + token, "/D/" + token, "/d/" + token })
            statuses.Add((await anonymous.GetAsync(path)).StatusCode);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }
}

using System.Net;
using Appliance.Web.Audit;
using Appliance.Web.Tests.AgentsSupport;
using Appliance.Web.Tests.Http;
using Appliance.Web.Users;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Web.Tests.Agents;

public sealed class AgentPagesHttpTests : IDisposable
{
    private const string ViewerPassword = "viewer password 1";
    private readonly AgentPanelFactory _panel = new();

    public void Dispose() => _panel.Dispose();

    private async Task<(PanelClient Admin, PanelClient Viewer, long AgentId)> ArrangeAsync()
    {
        var admin = await _panel.SetUpAsync();
        await _panel.AddUserAsync("watcher", ViewerPassword, PanelRoles.Viewer);
        var viewer = await _panel.SignedInClientAsync("watcher", ViewerPassword);
        long agentId = await _panel.PairAgentAsync();
        _panel.Agent.Clients.Add(FakeAgent.Client("alice"));
        return (admin, viewer, agentId);
    }

    [Fact]
    public async Task Viewer_is_refused_profile_and_capture_downloads_that_an_admin_gets()
    {
        var (admin, viewer, agentId) = await ArrangeAsync();
        using (admin)
        using (viewer)
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync($"/agents/{agentId}/clients/alice/profile?transport=udp&platform=windows")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync($"/agents/{agentId}/captures/c1/pcapng")).StatusCode);

            var download = await admin.GetAsync($"/agents/{agentId}/clients/alice/profile?transport=tcp&platform=macos");
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Contains("# alice tcp macos", await download.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            var audit = await _panel.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery(Action: "clients."));
            Assert.Contains(audit, e => e.Action == "clients.profile-downloaded" && e.UserName == PanelClient.AdminName && e.Target == "alice");
        }
    }

    [Fact]
    public async Task Viewer_sees_the_clients_but_no_action_buttons()
    {
        var (admin, viewer, _) = await ArrangeAsync();
        using (admin)
        using (viewer)
        {
            string viewerHtml = await viewer.HtmlAsync("/clients");
            string adminHtml = await admin.HtmlAsync("/clients");

            Assert.Contains("alice", viewerHtml, StringComparison.Ordinal);
            Assert.DoesNotContain("data-testid=\"revoke\"", viewerHtml, StringComparison.Ordinal);
            Assert.DoesNotContain("data-testid=\"create-client\"", viewerHtml, StringComparison.Ordinal);
            Assert.Contains("data-testid=\"revoke\"", adminHtml, StringComparison.Ordinal);
            Assert.Contains("data-testid=\"create-client\"", adminHtml, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Viewer_sees_no_pair_or_unpair_controls()
    {
        var (admin, viewer, _) = await ArrangeAsync();
        using (admin)
        using (viewer)
        {
            string html = await viewer.HtmlAsync("/agents");

            Assert.Contains("1.2.3-test", html, StringComparison.Ordinal);
            Assert.DoesNotContain("data-testid=\"pair\"", html, StringComparison.Ordinal);
            Assert.DoesNotContain("data-testid=\"unpair\"", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Overview_shows_each_paired_agent_with_its_ports_and_the_14_to_33_byte_frames()
    {
        var (admin, viewer, _) = await ArrangeAsync();
        viewer.Dispose();
        using (admin)
        {
            var small = new Dictionary<string, long> { ["14-33"] = 7, ["64-127"] = 3 };
            var none = new Dictionary<string, long>();
            var counters = new Appliance.Contracts.DirectionCountersDto(10, 400, 0, 0, 0, small, none, none, none, none, none, none);
            _panel.Agent.Ports.Add(new Appliance.Contracts.PortStatus(1, "uplink", "uplink", 1, counters, counters));

            string html = await admin.HtmlAsync("/");

            Assert.Contains("1.2.3-test", html, StringComparison.Ordinal);
            Assert.Contains("<td>uplink</td>", html, StringComparison.Ordinal);
            Assert.Contains("7 / 7", html, StringComparison.Ordinal);
            Assert.Matches("data-testid=\"agent-badge\">healthy<", html);
        }
    }

    [Fact]
    public async Task Overview_badges_an_agent_that_does_not_answer_as_unreachable()
    {
        var (admin, viewer, _) = await ArrangeAsync();
        viewer.Dispose();
        using (admin)
        {
            _panel.Agent.IsDown = true;

            string html = await admin.HtmlAsync("/");

            Assert.Matches("data-testid=\"agent-badge\">unreachable<", html);
        }
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/sessions")]
    [InlineData("/clients")]
    [InlineData("/agents")]
    public async Task Agent_down_shows_a_banner_naming_it_and_no_stack_trace(string page)
    {
        var (admin, viewer, _) = await ArrangeAsync();
        viewer.Dispose();
        using (admin)
        {
            _panel.Agent.IsDown = true;

            var response = await admin.GetAsync(page);
            string html = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("not reachable", html, StringComparison.Ordinal);
            Assert.Matches("(data-testid=\"banner\"|role=\"alert\")", html);
            Assert.DoesNotContain("   at ", html, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Sessions_page_lists_the_live_sessions()
    {
        var (admin, viewer, _) = await ArrangeAsync();
        viewer.Dispose();
        using (admin)
        {
            _panel.Agent.Sessions.Add(Sessions.ThroughputTests.Session("0123456789abcdef", 1000, 2000));

            string html = await admin.HtmlAsync("/sessions");

            Assert.Contains("client-0123456789abcdef", html, StringComparison.Ordinal);
            Assert.Contains("data-testid=\"session-row\"", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Session_page_shows_the_counters_with_14_to_33_highlighted_and_kick_only_for_an_admin()
    {
        var (admin, viewer, agentId) = await ArrangeAsync();
        using (admin)
        using (viewer)
        {
            var session = Sessions.ThroughputTests.Session("0123456789abcdef", 1000, 2000) with
            {
                In = Sessions.ThroughputTests.Counters(1000, 10, new Dictionary<string, long> { ["64-127"] = 10 }),
            };
            _panel.Agent.Sessions.Add(session);

            string adminHtml = await admin.HtmlAsync($"/sessions/{agentId}/0123456789abcdef");
            string viewerHtml = await viewer.HtmlAsync($"/sessions/{agentId}/0123456789abcdef");

            Assert.Matches("<tr class=\"highlight\" data-key=\"14-33\"", adminHtml);
            Assert.Contains("data-testid=\"capture-warning\"", adminHtml, StringComparison.Ordinal);
            Assert.Contains("data-testid=\"kick\"", adminHtml, StringComparison.Ordinal);
            Assert.Matches("<tr class=\"highlight\" data-key=\"14-33\"", viewerHtml);
            Assert.DoesNotContain("data-testid=\"kick\"", viewerHtml, StringComparison.Ordinal);
            Assert.DoesNotContain("data-testid=\"start-capture\"", viewerHtml, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_ended_session_keeps_its_page_with_findings_probe_and_capture_and_is_listed_in_history_and_on_its_client()
    {
        var (admin, viewer, agentId) = await ArrangeAsync();
        viewer.Dispose();
        using (admin)
        {
            const string id = "00000000000000e1";
            var last = EndedSamples.Session(id, "alice", EndedSamples.ShortFramesLost());
            _panel.Agent.Ended.Add(new Appliance.Contracts.EndedSessionDto(last, EndedSamples.Connected.AddMinutes(5), "kicked", EndedSamples.Probe(id, "alice")));
            _panel.Agent.Captures.Add(new Appliance.Contracts.CaptureDto("cap1", id, "alice", EndedSamples.Connected, EndedSamples.Connected.AddMinutes(5),
                "stopped", "session-closed", 40, 0, 4096, false));

            string page = await admin.HtmlAsync($"/sessions/{agentId}/{id}");
            string history = await admin.HtmlAsync("/history");
            string clients = await admin.HtmlAsync("/clients");

            Assert.Contains("data-testid=\"ended-session\"", page, StringComparison.Ordinal);
            Assert.Contains("kicked", page, StringComparison.Ordinal);
            Assert.Contains("Frames shorter than 34 bytes from the client never arrive", page, StringComparison.Ordinal);
            Assert.Contains("data-testid=\"evidence\"", page, StringComparison.Ordinal);
            Assert.Contains("data-testid=\"probe-strip\"", page, StringComparison.Ordinal);
            Assert.Contains("data-capture=\"cap1\"", page, StringComparison.Ordinal);
            Assert.Contains("data-testid=\"download-capture\"", page, StringComparison.Ordinal);
            Assert.Contains("data-testid=\"capture-warning\"", page, StringComparison.Ordinal);
            Assert.DoesNotContain("data-testid=\"start-capture\"", page, StringComparison.Ordinal);
            Assert.DoesNotContain("data-testid=\"kick\"", page, StringComparison.Ordinal);
            Assert.DoesNotContain("data-testid=\"probe-sizes\"", page, StringComparison.Ordinal);

            Assert.Contains($"href=\"sessions/{agentId}/{id}\"", history, StringComparison.Ordinal);
            Assert.Contains("short-frames-lost-from-client", history, StringComparison.Ordinal);
            Assert.Contains("data-testid=\"last-session\" data-client=\"alice\"", clients, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_session_neither_live_nor_kept_says_so()
    {
        var (admin, viewer, agentId) = await ArrangeAsync();
        viewer.Dispose();
        using (admin)
        {
            string page = await admin.HtmlAsync($"/sessions/{agentId}/00000000000000ff");

            Assert.DoesNotContain("data-testid=\"session-facts\"", page, StringComparison.Ordinal);
            Assert.Contains(_panel.Agent.Requests, r => r == "GET /api/v1/ended-sessions/00000000000000ff");
        }
    }
}

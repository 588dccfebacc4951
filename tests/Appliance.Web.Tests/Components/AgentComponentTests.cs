using System.Globalization;
using Appliance.Contracts;
using Appliance.Web.Components.AgentParts;
using Appliance.Web.Sessions;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using static Appliance.Web.Tests.Sessions.ThroughputTests;

namespace Appliance.Web.Tests.Components;

public sealed class AgentComponentTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private readonly BunitContext _context = new();
    private readonly CultureInfo _culture = CultureInfo.CurrentUICulture;

    public AgentComponentTests()
    {
        _context.Services.AddLocalization();
        CultureInfo.CurrentUICulture = new CultureInfo("en");
    }

    public void Dispose()
    {
        CultureInfo.CurrentUICulture = _culture;
        _context.Dispose();
    }

    private static SessionDto WithShortFrames(SessionDto session, long shortIn, long shortOut) => session with
    {
        In = Counters(1000, 10, new Dictionary<string, long> { ["14-33"] = shortIn, ["64-127"] = 5 }),
        Out = Counters(2000, 20, new Dictionary<string, long> { ["14-33"] = shortOut, ["64-127"] = 7 }),
    };

    [Fact]
    public void Sessions_table_renders_one_row_per_session_with_its_rates()
    {
        var sessions = new List<LiveSession>
        {
            new(Session("aaaa", 100, 200), new Throughput(1_500_000, 64_000)),
            new(Session("bbbb", 300, 400), null),
        };

        var table = _context.Render<SessionsTable>(p => p.Add(c => c.AgentId, 7).Add(c => c.Sessions, sessions));

        var rows = table.FindAll("[data-testid=session-row]");
        Assert.Equal(2, rows.Count);
        Assert.Contains("client-aaaa", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Equal("sessions/7/aaaa", rows[0].QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal("1.5 Mbit/s", rows[0].QuerySelector("[data-testid=rate-in]")!.TextContent.Trim());
        Assert.Equal("64.0 kbit/s", rows[0].QuerySelector("[data-testid=rate-out]")!.TextContent.Trim());
        Assert.Equal("–", rows[1].QuerySelector("[data-testid=rate-in]")!.TextContent.Trim());
    }

    [Fact]
    public void Sessions_table_highlights_the_14_to_33_column_and_flags_a_client_that_sends_no_short_frames()
    {
        var sessions = new List<LiveSession>
        {
            new(WithShortFrames(Session("healthy", 0, 0), shortIn: 4, shortOut: 6), null),
            new(WithShortFrames(Session("faulty", 0, 0), shortIn: 0, shortOut: 9), null),
        };

        var table = _context.Render<SessionsTable>(p => p.Add(c => c.AgentId, 1).Add(c => c.Sessions, sessions));

        var cells = table.FindAll("[data-testid=short-frames]");
        Assert.All(cells, c => Assert.Contains("short-frames", c.ClassList));
        Assert.DoesNotContain("short-frames-missing", cells[0].ClassList);
        Assert.Contains("4 / 6", cells[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("short-frames-missing", cells[1].ClassList);
        Assert.Contains("TAP", cells[1].GetAttribute("title"), StringComparison.Ordinal);
    }

    [Fact]
    public void Sessions_table_says_so_when_nobody_is_connected()
    {
        var table = _context.Render<SessionsTable>(p => p.Add(c => c.AgentId, 1).Add(c => c.Sessions, []));

        Assert.Empty(table.FindAll("[data-testid=session-row]"));
        Assert.Contains("No client is connected", table.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Size_class_table_always_shows_and_highlights_14_to_33_even_at_zero()
    {
        var table = _context.Render<CounterTable>(p => p
            .Add(c => c.Title, "Size classes")
            .Add(c => c.In, new Dictionary<string, long> { ["64-127"] = 3 })
            .Add(c => c.Out, new Dictionary<string, long> { ["64-127"] = 4 })
            .Add(c => c.Highlight, ShortFrames.SizeClass));

        var row = table.Find("tr[data-key='14-33']");
        Assert.Contains("highlight", row.ClassList);
        Assert.Equal(["14-33", "0", "0"], row.Children.Select(c => c.TextContent.Trim()));
        Assert.Single(table.FindAll("tr.highlight"));
    }

    [Fact]
    public void Findings_panel_shows_each_finding_with_its_code_explanation_and_fix()
    {
        PppoeFindingDto[] findings =
        [
            new("error", "short-frames-lost-from-client", "The client never acknowledged IPCP although LCP opened.", "Update TAP-Windows6 to 9.25 or newer."),
            new("info", "ipv6-only", "Only IPv6CP opened.", "Ask the ISP about IPv4."),
        ];

        var panel = _context.Render<FindingsPanel>(p => p.Add(c => c.Findings, findings));

        var items = panel.FindAll("[data-testid=finding]");
        Assert.Equal(2, items.Count);
        Assert.Equal("short-frames-lost-from-client", items[0].GetAttribute("data-code"));
        Assert.Contains("finding-error", items[0].ClassList);
        Assert.Contains("Update TAP-Windows6 to 9.25 or newer.", items[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("never acknowledged IPCP", items[0].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Findings_panel_shows_the_frames_expected_and_never_seen_next_to_the_explanation()
    {
        PppoeFindingDto[] findings =
        [
            new("error", "short-frames-lost-from-client", "Frames shorter than 34 bytes from the client never arrive.", "Update TAP-Windows6.",
                [new MissingFrameDto("client", "IPCP", "Configure-Ack", 2, 32), new MissingFrameDto("client", "LCP", "Echo-Reply", 7, 30)], 34),
            new("info", "ipv4-only", "IPv4 only.", "Enable IPv6."),
        ];

        var panel = _context.Render<FindingsPanel>(p => p.Add(c => c.Findings, findings));

        var evidence = Assert.Single(panel.FindAll("[data-testid=evidence]"));
        var rows = evidence.QuerySelectorAll("tbody tr").Select(r => r.TextContent).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Contains("IPCP", rows[0], StringComparison.Ordinal);
        Assert.Contains("Configure-Ack", rows[0], StringComparison.Ordinal);
        Assert.Contains("32", rows[0], StringComparison.Ordinal);
        Assert.Contains("Echo-Reply", rows[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Findings_panel_says_nothing_was_found_when_there_is_nothing()
    {
        var panel = _context.Render<FindingsPanel>(p => p.Add(c => c.Findings, []));

        Assert.NotNull(panel.Find("[data-testid=no-findings]"));
        Assert.Empty(panel.FindAll("[data-testid=finding]"));
    }

    [Fact]
    public void Capture_warning_names_credentials_and_keeping_them_takes_an_explicit_tick()
    {
        bool? kept = null;
        var warning = _context.Render<CaptureWarning>(p => p
            .Add(c => c.KeepCredentials, false)
            .Add(c => c.KeepCredentialsChanged, value => kept = value));

        Assert.Contains("PPP credentials", warning.Find("[data-testid=capture-warning]").TextContent, StringComparison.Ordinal);
        var box = warning.Find("[data-testid=keep-credentials]");
        Assert.False(box.HasAttribute("checked"));
        Assert.Empty(warning.FindAll("[data-testid=credentials-kept]"));

        box.Change(true);

        Assert.True(kept);
    }

    [Fact]
    public void Capture_warning_turns_stronger_once_credentials_are_kept()
    {
        var warning = _context.Render<CaptureWarning>(p => p.Add(c => c.KeepCredentials, true));

        Assert.Contains("in clear", warning.Find("[data-testid=credentials-kept]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Strings_exist_in_chinese_too()
    {
        CultureInfo.CurrentUICulture = new CultureInfo("zh-Hant");

        var table = _context.Render<SessionsTable>(p => p.Add(c => c.AgentId, 1).Add(c => c.Sessions, []));

        Assert.Contains("目前沒有用戶端連線", table.Markup, StringComparison.Ordinal);
    }
}

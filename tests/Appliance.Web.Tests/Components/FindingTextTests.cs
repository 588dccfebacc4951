using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Appliance.Contracts;
using Appliance.Web.Components.AgentParts;
using Appliance.Web.Tests.AgentsSupport;
using Bunit;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Web.Tests.Components;

/// <summary>Findings are worded by the panel from their code and parameters, in the reader's language; the agent's English is the fallback.</summary>
public sealed partial class FindingTextTests : IDisposable
{
    private readonly BunitContext _context = new();
    private readonly CultureInfo _culture = CultureInfo.CurrentUICulture;

    public FindingTextTests()
    {
        _context.Services.AddLocalization();
        CultureInfo.CurrentUICulture = new CultureInfo("en");
    }

    public void Dispose()
    {
        CultureInfo.CurrentUICulture = _culture;
        _context.Dispose();
    }

    [Theory]
    [InlineData("short-frames-lost-from-client", "no-session-frame", 60, "threshold=60;lowerBound=41;smallestDiscovery=62", "41", "62")]
    [InlineData("large-frames-lost", "check", 64, "controlSize=64;largeSize=1514;largestArrived=64", "1514", "64")]
    public void The_fault_matrix_findings_without_a_session_frame_or_from_the_large_frame_check_read_in_chinese(
        string code, string variant, int threshold, string parameters, string first, string second)
    {
        CultureInfo.CurrentUICulture = new CultureInfo("zh-Hant");
        var values = parameters.Split(';').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
        values["variant"] = variant;
        var finding = new PppoeFindingDto("error", code, "engine English", "engine fix",
            [new MissingFrameDto("client", "LCP", "Configure-Ack", 1, 40)], threshold, values);

        var panel = _context.Render<FindingsPanel>(p => p.Add(c => c.Findings, [finding]));

        string explanation = panel.Find("[data-testid=finding-explanation]").TextContent;
        Assert.DoesNotContain("engine", explanation, StringComparison.Ordinal);
        Assert.DoesNotContain("engine", panel.Find("[data-testid=finding-fix]").TextContent, StringComparison.Ordinal);
        Assert.Contains(first, explanation, StringComparison.Ordinal);
        Assert.Contains(second, explanation, StringComparison.Ordinal);
        Assert.Contains("訊框", explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void The_origin_finding_reads_in_traditional_chinese_with_its_threshold_missing_frames_and_fix()
    {
        CultureInfo.CurrentUICulture = new CultureInfo("zh-Hant");

        var panel = _context.Render<FindingsPanel>(p => p.Add(c => c.Findings, [EndedSamples.ShortFramesLost()]));

        string explanation = panel.Find("[data-testid=finding-explanation]").TextContent;
        string fix = panel.Find("[data-testid=finding-fix]").TextContent;
        Assert.Equal("來自用戶端、短於 34 位元組的訊框從未到達：IPCP Configure-Ack（id 2，32 位元組）及5 個 LCP Echo-Reply（30 位元組）都沒有出現，" +
            "而確實從用戶端到達的 PPPoE 連線階段訊框都在 36 位元組以上，因此 IPv4 始終無法建立，而 IPv6CP（訊框較大）已開啟。", explanation);
        Assert.Contains("TAP-Windows6 更新至 9.25", fix, StringComparison.Ordinal);
        Assert.DoesNotContain(EndedSamples.EngineExplanation, panel.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain(EndedSamples.EngineFix, panel.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void In_english_the_panel_words_it_too_and_the_fix_follows_the_threshold()
    {
        var at60 = EndedSamples.ShortFramesLost() with
        {
            SizeThreshold = 60,
            Parameters = new Dictionary<string, string> { ["threshold"] = "60", ["smallestArrived"] = "60", ["ipv6Only"] = "false" },
        };

        var panel = _context.Render<FindingsPanel>(p => p.Add(c => c.Findings, [EndedSamples.ShortFramesLost(), at60]));

        var explanations = panel.FindAll("[data-testid=finding-explanation]").Select(e => e.TextContent).ToList();
        var fixes = panel.FindAll("[data-testid=finding-fix]").Select(e => e.TextContent).ToList();
        Assert.Contains("IPCP Configure-Ack (id 2, 32 bytes) and 5 × LCP Echo-Reply (30 bytes) never came", explanations[0], StringComparison.Ordinal);
        Assert.EndsWith("was 60 bytes or longer.", explanations[1], StringComparison.Ordinal);
        Assert.Contains("TAP-Windows6 to 9.25", fixes[0], StringComparison.Ordinal);
        Assert.Contains("60-byte Ethernet minimum", fixes[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a-code-from-a-newer-agent", null)]
    [InlineData("ipv6-only", "a-new-variant")]
    [InlineData("no-access-concentrator", null)] // known, but without its parameters (an older agent)
    public void A_code_variant_or_parameter_the_panel_does_not_know_shows_the_agents_english(string code, string? variant)
    {
        CultureInfo.CurrentUICulture = new CultureInfo("zh-Hant");
        var finding = new PppoeFindingDto("warning", code, "What the agent said.", "What the agent advised.",
            Parameters: variant is null ? null : new Dictionary<string, string> { ["variant"] = variant });

        var panel = _context.Render<FindingsPanel>(p => p.Add(c => c.Findings, [finding]));

        Assert.Equal("What the agent said.", panel.Find("[data-testid=finding-explanation]").TextContent);
        Assert.EndsWith("What the agent advised.", panel.Find("[data-testid=finding-fix]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_variant_with_counts_is_worded_in_chinese()
    {
        CultureInfo.CurrentUICulture = new CultureInfo("zh-Hant");
        var finding = new PppoeFindingDto("warning", "ipv6-only", "English.", "English fix.", Parameters: new Dictionary<string, string>
        {
            ["variant"] = "unsettled", ["seconds"] = "45", ["clientRequests"] = "3", ["ispRequests"] = "4",
        });

        var panel = _context.Render<FindingsPanel>(p => p.Add(c => c.Findings, [finding]));

        Assert.Equal("IPv6 已在 45 秒前建立，但 IPv4（IPCP）尚未建立：用戶端送出 3 個請求、ISP 送出 4 個，皆未談妥。",
            panel.Find("[data-testid=finding-explanation]").TextContent);
    }

    [Fact]
    public void The_last_session_panel_shows_when_and_why_it_ended_its_findings_and_a_link_to_it()
    {
        CultureInfo.CurrentUICulture = new CultureInfo("zh-Hant");
        var ended = new EndedSessionDto(EndedSamples.Session("00000000000000a1", "alice", EndedSamples.ShortFramesLost()),
            EndedSamples.Connected.AddMinutes(5), "kicked");

        var panel = _context.Render<LastSessionPanel>(p => p.Add(c => c.AgentId, 3).Add(c => c.Ended, ended));

        Assert.Contains("alice 的上一個連線階段", panel.Find("h2").TextContent, StringComparison.Ordinal);
        Assert.Contains("2026-12-05 09:05:00", panel.Markup, StringComparison.Ordinal);
        Assert.Contains("kicked", panel.Markup, StringComparison.Ordinal);
        Assert.Contains("短於 34 位元組", panel.Find("[data-testid=finding-explanation]").TextContent, StringComparison.Ordinal);
        Assert.Equal("sessions/3/00000000000000a1", panel.Find("[data-testid=open-last-session]").GetAttribute("href"));
    }

    [Fact]
    public void The_capture_warning_of_an_ended_sessions_captures_offers_no_choice_and_names_the_marked_ones()
    {
        var warning = _context.Render<CaptureWarning>(p => p.Add(c => c.ShowChoice, false));

        Assert.Contains("holds credentials", warning.Find("[data-testid=capture-warning]").TextContent, StringComparison.Ordinal);
        Assert.Empty(warning.FindAll("[data-testid=keep-credentials]"));
    }

    [Fact]
    public void Every_finding_text_is_in_both_languages_with_the_same_placeholders()
    {
        string dir = Path.Combine(AgentTextTests.RepositoryRootForTests(), "src", "Appliance.Web", "Localization");
        var english = Strings(Path.Combine(dir, "AgentText.resx"));
        var chinese = Strings(Path.Combine(dir, "AgentText.zh-Hant.resx"));
        var keys = english.Keys.Where(k => k.StartsWith("Finding_", StringComparison.Ordinal) || k.StartsWith("PppoeError_", StringComparison.Ordinal)).ToList();

        // Every code the engine has (PppoeFindingCodes) is worded.
        foreach (string code in new[]
        {
            "short-frames-lost-from-client", "short-frames-lost-toward-client", "large-frames-lost", "client-driver-drops-short-frames",
            "ipcp-unanswered-by-client", "no-access-concentrator", "offer-ignored-by-client", "access-concentrator-refuses", "authentication-failed",
            "lcp-echo-unanswered-by-isp", "lcp-echo-unanswered-by-client", "ipv4-not-sent-by-client", "ipv4-unanswered", "ipv6-not-sent-by-client",
            "ipv6-unanswered", "ipv6-only", "ipv4-only", "oversize-frames-dropped",
        })
        {
            Assert.Contains(keys, k => k.StartsWith($"Finding_{code}_", StringComparison.Ordinal) && k.EndsWith("_Explanation", StringComparison.Ordinal));
        }
        foreach (string key in keys)
        {
            Assert.True(chinese.TryGetValue(key, out string? zh), $"zh-Hant lacks {key}");
            Assert.Equal(Placeholders(english[key]), Placeholders(zh!));
        }
    }

    private static Dictionary<string, string> Strings(string file) =>
        XDocument.Load(file).Root!.Elements("data").ToDictionary(d => (string)d.Attribute("name")!, d => (string)d.Element("value")!, StringComparer.Ordinal);

    private static List<string> Placeholders(string text) =>
        [.. PlaceholderPattern().Matches(text).Select(m => m.Value).Order(StringComparer.Ordinal)];

    [GeneratedRegex(@"\{[A-Za-z0-9]+\}")]
    private static partial Regex PlaceholderPattern();
}

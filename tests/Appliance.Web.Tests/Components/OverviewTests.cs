using System.Globalization;
using Appliance.Contracts;
using Appliance.Web.Components.Pages;
using Bunit;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Web.Tests.Components;

/// <summary>The overview's port table: its headings in the reader's language, and drops with their reasons.</summary>
public sealed class OverviewTests : IDisposable
{
    private readonly BunitContext _context = new();
    private readonly CultureInfo _culture = CultureInfo.CurrentUICulture;

    public OverviewTests() => _context.Services.AddLocalization();

    public void Dispose()
    {
        CultureInfo.CurrentUICulture = _culture;
        _context.Dispose();
    }

    private static DirectionCountersDto Counters(long frames, long dropped, Dictionary<string, long> drops) => new(
        frames, frames * 100, 0, dropped, dropped * 60, new Dictionary<string, long> { ["14-33"] = 2 }, new Dictionary<string, long>(),
        new Dictionary<string, long>(), new Dictionary<string, long>(), new Dictionary<string, long>(), new Dictionary<string, long>(), drops);

    private static PortStatus Uplink() => new(0, "uplink", "raw-nic", 3,
        Counters(20, 18, new Dictionary<string, long> { ["filtered_by_policy"] = 18 }),
        Counters(5, 1, new Dictionary<string, long> { ["queue_full"] = 1, ["replay"] = 0 }));

    [Fact]
    public void Uplink_drops_are_explained_by_reason()
    {
        CultureInfo.CurrentUICulture = new CultureInfo("en");

        var table = _context.Render<PortTable>(p => p.Add(c => c.Ports, [Uplink()]));

        var reasons = table.FindAll("[data-testid=drop-reason]");
        Assert.Equal(["filtered_by_policy", "queue_full"], reasons.Select(r => r.GetAttribute("data-reason")));
        Assert.StartsWith("18 filtered by the switch policy (pppoe-only", reasons[0].TextContent, StringComparison.Ordinal);
        Assert.StartsWith("1 because a send queue was full", reasons[1].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Port_table_reads_in_traditional_chinese()
    {
        CultureInfo.CurrentUICulture = new CultureInfo("zh-Hant");

        var table = _context.Render<PortTable>(p => p.Add(c => c.Ports, [Uplink()]));

        Assert.Equal(["連接埠", "類型", "MAC 數", "輸入訊框", "輸出訊框", "輸入位元組", "輸出位元組", "14–33 輸入 / 輸出", "丟棄 輸入 / 輸出"],
            table.FindAll("th").Select(h => h.TextContent));
        Assert.Contains("被交換器政策過濾", table.Find("[data-testid=drop-reason]").TextContent, StringComparison.Ordinal);
    }
}

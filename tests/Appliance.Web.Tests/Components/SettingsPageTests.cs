using Appliance.Web.Audit;
using Appliance.Web.Components.Pages;
using Appliance.Web.Settings;
using Bunit;

namespace Appliance.Web.Tests.Components;

public sealed class SettingsPageTests : IDisposable
{
    private readonly PanelComponentContext _context = new();

    public void Dispose() => _context.Dispose();

    [Fact]
    public async Task Out_of_range_retention_and_empty_name_are_named_beside_their_fields_and_nothing_is_saved()
    {
        var page = _context.Render<SettingsPage>();
        page.WaitForElement("#panel-name");
        page.Find("#panel-name").Change("");
        page.Find("#retention").Change("0");
        page.Find("#panel-name").Closest("form")!.Submit();

        Assert.Equal("Required.", page.Find("#panel-name").ParentElement!.QuerySelector(".validation-message")!.TextContent);
        Assert.Equal("Enter a number of days from 1 to 3650.", page.Find("#retention").ParentElement!.QuerySelector(".validation-message")!.TextContent);
        Assert.Equal("0", page.Find("#retention").GetAttribute("value"));
        Assert.Null(await _context.Get<SettingsStore>().GetAsync(PanelSettings.HistoryRetentionDaysKey));
    }

    [Fact]
    public async Task Saving_stores_the_changed_values_and_audits_each_change()
    {
        var page = _context.Render<SettingsPage>();
        page.WaitForElement("#panel-name");
        page.Find("#panel-name").Change("Site Kaohsiung");
        page.Find("#retention").Change("30");
        page.Find("#panel-name").Closest("form")!.Submit();

        page.WaitForAssertion(() => Assert.Equal("Settings saved.", page.Find("[data-testid=banner] .banner-text").TextContent));
        var settings = await _context.Get<SettingsStore>().ReadPanelSettingsAsync();
        Assert.Equal(("Site Kaohsiung", 30), (settings.PanelName, settings.HistoryRetentionDays));
        var audit = await _context.Get<AuditLog>().QueryAsync(new AuditQuery(Action: AuditActions.SettingChanged));
        Assert.Equal(
            [PanelSettings.HistoryRetentionDaysKey, PanelSettings.PanelNameKey],
            audit.Select(a => a.Target).Order(StringComparer.Ordinal));
    }
}

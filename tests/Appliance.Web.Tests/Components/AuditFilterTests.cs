using Appliance.Web.Audit;
using Appliance.Web.Components.Shared;
using Bunit;

namespace Appliance.Web.Tests.Components;

public sealed class AuditFilterTests : IDisposable
{
    private readonly PanelComponentContext _context = new();

    public void Dispose() => _context.Dispose();

    [Fact]
    public void Until_before_from_is_refused_beside_the_field_and_keeps_what_was_typed()
    {
        var applied = new List<AuditQuery>();
        var filter = _context.Render<AuditFilter>(p => p.Add(f => f.OnApply, q => applied.Add(q)));
        filter.Find("#audit-user").Change("alice");
        filter.Find("#audit-from").Change("2026-11-20T10:00");
        filter.Find("#audit-until").Change("2026-11-19T10:00");
        filter.Find("form").Submit();

        Assert.Empty(applied);
        var untilField = filter.Find("#audit-until").ParentElement!;
        Assert.Equal("Must be later than the start.", untilField.QuerySelector(".validation-message")!.TextContent);
        Assert.Equal("alice", filter.Find("#audit-user").GetAttribute("value"));
    }

    [Fact]
    public void A_valid_filter_is_applied_as_a_query_in_utc()
    {
        var applied = new List<AuditQuery>();
        var filter = _context.Render<AuditFilter>(p => p.Add(f => f.OnApply, q => applied.Add(q)).Add(f => f.Actions, ["users.created", "auth.signed-in"]));
        filter.Find("#audit-user").Change("  alice ");
        filter.Find("#audit-action").Change("users.");
        filter.Find("#audit-from").Change("2026-11-20T10:00");
        filter.Find("form").Submit();

        var query = Assert.Single(applied);
        Assert.Equal("alice", query.UserName);
        Assert.Equal("users.", query.Action);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero), query.From);
        Assert.Null(query.Until);
        Assert.Equal(2, filter.FindAll("datalist#audit-actions option").Count);
    }

    [Fact]
    public void Clear_empties_the_fields_and_applies_no_filter()
    {
        var applied = new List<AuditQuery>();
        var filter = _context.Render<AuditFilter>(p => p.Add(f => f.OnApply, q => applied.Add(q)));
        filter.Find("#audit-user").Change("alice");
        filter.FindAll("button").Single(b => b.TextContent == "Clear").Click();
        Assert.Equal(new AuditQuery(), Assert.Single(applied));
        Assert.Equal("", filter.Find("#audit-user").GetAttribute("value") ?? "");
    }
}

using Appliance.Web.Components.Shared;
using Bunit;

namespace Appliance.Web.Tests.Components;

public sealed class ErrorBannerTests : IDisposable
{
    private readonly PanelComponentContext _context = new();

    public void Dispose() => _context.Dispose();

    [Fact]
    public void No_message_renders_nothing()
    {
        var banner = _context.Render<ErrorBanner>(p => p.Add(b => b.Message, null));
        Assert.Empty(banner.Markup.Trim());
    }

    [Fact]
    public void An_error_is_announced_as_an_alert_with_its_text()
    {
        var banner = _context.Render<ErrorBanner>(p => p.Add(b => b.Message, "agent at http://127.0.0.1:7080/ is not reachable"));
        var element = banner.Find("[data-testid=banner]");
        Assert.Equal("alert", element.GetAttribute("role"));
        Assert.Contains("banner-error", element.ClassList);
        Assert.Equal("agent at http://127.0.0.1:7080/ is not reachable", banner.Find(".banner-text").TextContent);
        Assert.Empty(banner.FindAll("button"));
    }

    [Fact]
    public void A_success_is_a_status_not_an_alert()
    {
        var banner = _context.Render<ErrorBanner>(p => p.Add(b => b.Message, "Settings saved.").Add(b => b.Kind, BannerKind.Success));
        Assert.Equal("status", banner.Find("[data-testid=banner]").GetAttribute("role"));
    }

    [Fact]
    public void The_dismiss_button_calls_back()
    {
        int dismissed = 0;
        var banner = _context.Render<ErrorBanner>(p => p.Add(b => b.Message, "oops").Add(b => b.OnDismiss, () => dismissed++));
        var button = banner.Find("button.banner-dismiss");
        Assert.Equal("Dismiss", button.GetAttribute("aria-label"));
        button.Click();
        Assert.Equal(1, dismissed);
    }
}

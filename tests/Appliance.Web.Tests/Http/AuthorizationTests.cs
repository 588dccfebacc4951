using System.Net;
using Appliance.Web.Users;

namespace Appliance.Web.Tests.Http;

public sealed class AuthorizationTests : IDisposable
{
    private const string ViewerPassword = "viewer password 1";
    private readonly PanelFactory _panel = new();

    public void Dispose() => _panel.Dispose();

    [Theory]
    [InlineData("/users")]
    [InlineData("/settings")]
    [InlineData("/admin/database/backup")]
    public async Task Viewer_is_refused_admin_pages_with_403(string path)
    {
        (await _panel.SetUpAsync()).Dispose();
        await _panel.AddUserAsync("watcher", ViewerPassword, PanelRoles.Viewer);
        using var viewer = await _panel.SignedInClientAsync("watcher", ViewerPassword);

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/audit")).StatusCode);
    }

    [Fact]
    public async Task Viewer_cannot_restore_the_database()
    {
        using var admin = await _panel.SetUpAsync();
        await _panel.AddUserAsync("watcher", ViewerPassword, PanelRoles.Viewer);
        using var viewer = await _panel.SignedInClientAsync("watcher", ViewerPassword);
        string token = await viewer.ReadTokenAsync("/account");
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent([1, 2, 3]), "file", "panel.db" },
        };
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Http.PostAsync("/admin/database/restore", form)).StatusCode);
    }

    [Theory]
    [InlineData("/users")]
    [InlineData("/settings")]
    [InlineData("/audit")]
    [InlineData("/account")]
    public async Task Admin_opens_every_page(string path)
    {
        using var admin = await _panel.SetUpAsync();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task A_deleted_users_cookie_stops_working()
    {
        (await _panel.SetUpAsync()).Dispose();
        long id = await _panel.AddUserAsync("leaver", ViewerPassword, PanelRoles.Viewer);
        using var leaver = await _panel.SignedInClientAsync("leaver", ViewerPassword);
        Assert.Equal(HttpStatusCode.OK, (await leaver.GetAsync("/")).StatusCode);

        await ((UserStore)_panel.Services.GetService(typeof(UserStore))!).DeleteAsync(id);

        PanelFixtures.AssertRedirect(await leaver.GetAsync("/"), "/login");
    }
}

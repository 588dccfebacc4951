using Appliance.Web.Audit;
using Appliance.Web.Components.Pages;
using Appliance.Web.Users;
using Bunit;

namespace Appliance.Web.Tests.Components;

public sealed class UsersPageTests : IDisposable
{
    private readonly PanelComponentContext _context = new();

    public UsersPageTests() =>
        _context.Get<UserStore>().TryAddAsync("admin", "hash-not-used-here", PanelRoles.Admin, 0).GetAwaiter().GetResult();

    public void Dispose() => _context.Dispose();

    [Fact]
    public void New_user_form_names_each_wrong_field_and_keeps_the_typed_name()
    {
        var page = _context.Render<UsersPage>();
        page.Find("#new-user-name").Change("bad name!");
        page.Find("#new-user-password").Change("short");
        page.Find("#new-user-confirm").Change("different");
        page.FindAll("form")[^1].Submit();

        Assert.Equal("Use 1 to 64 letters, digits or . _ - @", MessageOf(page, "#new-user-name"));
        Assert.Equal("Use at least 12 characters (at most 256).", MessageOf(page, "#new-user-password"));
        Assert.Equal("The two passwords differ.", MessageOf(page, "#new-user-confirm"));
        Assert.Equal("bad name!", page.Find("#new-user-name").GetAttribute("value"));
    }

    [Fact]
    public async Task A_valid_new_user_is_created_listed_and_audited()
    {
        var page = _context.Render<UsersPage>();
        page.Find("#new-user-name").Change("watcher");
        page.Find("#new-user-password").Change("viewer password 1");
        page.Find("#new-user-confirm").Change("viewer password 1");
        page.Find("#new-user-role").Change("viewer");
        page.FindAll("form")[^1].Submit();

        page.WaitForAssertion(() => Assert.Contains("User watcher created.", page.Find("[data-testid=banner]").TextContent, StringComparison.Ordinal));
        Assert.Contains("watcher", page.Find("[data-testid=users-grid]").TextContent, StringComparison.Ordinal);
        var created = await _context.Get<UserStore>().FindByNameAsync("watcher");
        Assert.Equal(PanelRoles.Viewer, created!.Role);
        var audit = await _context.Get<AuditLog>().QueryAsync(new AuditQuery(Action: AuditActions.UserCreated));
        Assert.Equal(("admin", "watcher"), (audit.Single().UserName, audit.Single().Target));
    }

    [Fact]
    public void A_taken_name_is_refused_with_a_banner()
    {
        var page = _context.Render<UsersPage>();
        page.Find("#new-user-name").Change("ADMIN");
        page.Find("#new-user-password").Change("some password 12");
        page.Find("#new-user-confirm").Change("some password 12");
        page.FindAll("form")[^1].Submit();
        page.WaitForAssertion(() => Assert.Equal("That user name is taken; choose another.", page.Find("[data-testid=banner] .banner-text").TextContent));
    }

    [Fact]
    public async Task Deleting_another_user_removes_and_audits_it_but_an_admin_cannot_delete_themself()
    {
        var users = _context.Get<UserStore>();
        await users.TryAddAsync("leaver", "hash-not-used-here", PanelRoles.Viewer, 0);
        var page = _context.Render<UsersPage>();

        page.Find("button[aria-label='Delete user admin']").Click();
        page.WaitForAssertion(() => Assert.Equal("You cannot delete your own account; ask another admin.", page.Find("[data-testid=banner] .banner-text").TextContent));
        Assert.NotNull(await users.FindByNameAsync("admin"));

        page.Find("button[aria-label='Delete user leaver']").Click();
        page.WaitForAssertion(() => Assert.Equal("User leaver deleted.", page.Find("[data-testid=banner] .banner-text").TextContent));
        Assert.Null(await users.FindByNameAsync("leaver"));
        Assert.DoesNotContain("leaver", page.Find("[data-testid=users-grid]").TextContent, StringComparison.Ordinal);
        var audit = await _context.Get<AuditLog>().QueryAsync(new AuditQuery(Action: AuditActions.UserDeleted));
        Assert.Equal("leaver", audit.Single().Target);
    }

    [Fact]
    public async Task Resetting_a_password_ends_the_users_sign_ins()
    {
        var users = _context.Get<UserStore>();
        await users.TryAddAsync("forgetful", "old-hash", PanelRoles.Viewer, 0);
        string stampBefore = (await users.FindByNameAsync("forgetful"))!.SecurityStamp;
        var page = _context.Render<UsersPage>();

        page.FindAll("button").First(b => b.TextContent == "Reset password" && b.ParentElement!.InnerHtml.Contains("forgetful", StringComparison.Ordinal)).Click();
        page.Find("#reset-password").Change("brand new password");
        page.Find("#reset-confirm").Change("brand new password");
        page.Find("#reset-password").Closest("form")!.Submit();

        page.WaitForAssertion(() => Assert.Equal("Password of forgetful reset; their sign-ins have ended.", page.Find("[data-testid=banner] .banner-text").TextContent));
        var after = (await users.FindByNameAsync("forgetful"))!;
        Assert.NotEqual(stampBefore, after.SecurityStamp);
        Assert.NotEqual("old-hash", after.PasswordHash);
    }

    private static string? MessageOf(IRenderedComponent<UsersPage> page, string inputSelector) =>
        page.Find(inputSelector).ParentElement!.QuerySelector(".validation-message")?.TextContent;
}

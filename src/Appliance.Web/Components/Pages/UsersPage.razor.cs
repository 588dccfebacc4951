using Appliance.Web.Components.Forms;
using Appliance.Web.Users;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.Pages;

/// <summary>A user as the users page lists it (no hash, no secret).</summary>
public sealed record PanelUserRow(long Id, string UserName, string Role, bool TotpEnabled);

public partial class UsersPage
{
    [Inject]
    private UserStore Users { get; set; } = default!;

    [Inject]
    private UserAdministration Administration { get; set; } = default!;

    private IReadOnlyList<PanelUserRow> Rows { get; set; } = [];

    private NewUserForm NewUser { get; set; } = new();

    private PanelUserRow? ResetFor { get; set; }

    private NewPasswordForm ResetInput { get; set; } = new();

    private string? Problem { get; set; }

    private string? Notice { get; set; }

    protected override Task OnInitializedAsync() => LoadAsync();

    private async Task LoadAsync() =>
        Rows = (await Users.ListAsync()).Select(u => new PanelUserRow(u.Id, u.UserName, u.Role, u.TotpEnabled)).ToList();

    private async Task CreateAsync()
    {
        var change = await Administration.CreateAsync(NewUser.UserName, NewUser.Password, NewUser.Role);
        Report(change, L["NoticeUserCreated", NewUser.UserName.Trim()].Value);
        if (change.Succeeded)
        {
            NewUser = new NewUserForm();
            await LoadAsync();
        }
    }

    private void StartReset(PanelUserRow row)
    {
        ResetFor = row;
        ResetInput = new NewPasswordForm();
    }

    private async Task ResetAsync()
    {
        if (ResetFor is null)
            return;
        var change = await Administration.ResetPasswordAsync(ResetFor.Id, ResetInput.Password);
        Report(change, L["NoticePasswordReset", ResetFor.UserName].Value);
        if (change.Succeeded)
            ResetFor = null;
    }

    private async Task DeleteAsync(PanelUserRow row)
    {
        var change = await Administration.DeleteAsync(row.Id);
        Report(change, L["NoticeUserDeleted", row.UserName].Value);
        await LoadAsync();
    }

    private void Report(UserChange change, string success)
    {
        Problem = change.Succeeded ? null : L[change.ProblemKey!].Value;
        Notice = change.Succeeded ? success : null;
    }
}

using Appliance.Web.Components.Forms;
using Appliance.Web.Users;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.Pages;

public partial class Account
{
    [Inject]
    private UserAdministration Administration { get; set; } = default!;

    private NewPasswordForm PasswordInput { get; set; } = new();

    private string? PasswordProblem { get; set; }

    private string? PasswordNotice { get; set; }

    private async Task ChangePasswordAsync()
    {
        var change = await Administration.ChangeOwnPasswordAsync(PasswordInput.CurrentPassword, PasswordInput.Password);
        PasswordProblem = change.Succeeded ? null : L[change.ProblemKey!].Value;
        PasswordNotice = change.Succeeded ? L["NoticePasswordChanged"].Value : null;
        if (change.Succeeded)
            PasswordInput = new NewPasswordForm();
    }
}

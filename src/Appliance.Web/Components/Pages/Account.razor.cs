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

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    private async Task ChangePasswordAsync()
    {
        var change = await Administration.ChangeOwnPasswordAsync(PasswordInput.CurrentPassword, PasswordInput.Password);
        if (change.Succeeded)
        {
            // The new security stamp ended every sign-in of the user, this one included: sign in again with the new password.
            Navigation.NavigateTo("/login?changed=1", forceLoad: true);
            return;
        }
        PasswordProblem = L[change.ProblemKey!].Value;
    }
}

using Appliance.Web.Auth;
using Appliance.Web.Components.Forms;
using Appliance.Web.Localization;
using Appliance.Web.Security;
using Appliance.Web.Users;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;

namespace Appliance.Web.Components.Pages;

/// <summary>Password step of signing in; a plain form post, since only an HTTP response can set the cookie.</summary>
public partial class Login
{
    [CascadingParameter]
    private HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromForm(FormName = "login")]
    private LoginForm? Input { get; set; }

    [SupplyParameterFromQuery]
    private string? ReturnUrl { get; set; }

    [SupplyParameterFromQuery(Name = "restored")]
    private string? Restored { get; set; }

    [SupplyParameterFromQuery(Name = "changed")]
    private string? PasswordChanged { get; set; }

    [Inject]
    private CredentialChecker Credentials { get; set; } = default!;

    [Inject]
    private UserStore Users { get; set; } = default!;

    [Inject]
    private PendingSecondFactor Pending { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    private string? Problem { get; set; }

    private string? Notice { get; set; }

    protected override async Task OnInitializedAsync()
    {
        Input ??= new LoginForm();
                if (!await Users.AnyAdminAsync())
        {
            Navigation.NavigateTo("/setup");
            return;
        }
        if (Restored is not null)
            Notice = L["NoticeRestored"].Value;
        else if (PasswordChanged is not null)
            Notice = L["NoticePasswordChanged"].Value;
    }

    private async Task SignInAsync()
    {
        var outcome = await Credentials.CheckPasswordAsync(Input!.UserName, Input!.Password, HttpContext.Connection.RemoteIpAddress?.ToString());
        switch (outcome.Status)
        {
            case SignInStatus.Succeeded:
                await PanelSignIn.SignInAsync(HttpContext, outcome.User!);
                Navigation.NavigateTo(ReturnUrls.Safe(ReturnUrl));
                break;
            case SignInStatus.SecondFactorRequired:
                Pending.Begin(HttpContext, outcome.User!);
                Navigation.NavigateTo("/login/code?ReturnUrl=" + Uri.EscapeDataString(ReturnUrls.Safe(ReturnUrl)));
                break;
            case SignInStatus.LockedOut:
                Problem = L["ProblemLockedOut", outcome.LockedUntil!.Value.ToString("u", System.Globalization.CultureInfo.InvariantCulture)].Value;
                break;
            default:
                Problem = L["ProblemWrongCredentials"].Value;
                break;
        }
        // A refused password is not sent back into the page.
        Input!.Password = "";
    }
}

using Appliance.Web.Auth;
using Appliance.Web.Components.Forms;
using Appliance.Web.Security;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.Pages;

/// <summary>Second step of signing in: an authenticator code or a one-time recovery code.</summary>
public partial class LoginCode
{
    [CascadingParameter]
    private HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromForm(FormName = "login-code")]
    private SecondFactorForm? Input { get; set; }

    [SupplyParameterFromQuery]
    private string? ReturnUrl { get; set; }

    [Inject]
    private CredentialChecker Credentials { get; set; } = default!;

    [Inject]
    private PendingSecondFactor Pending { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    private string? Problem { get; set; }

    private (long UserId, string Stamp)? _pending;

    protected override void OnInitialized()
    {
        Input ??= new SecondFactorForm();
        _pending = Pending.Read(HttpContext);
        if (_pending is null)
            Navigation.NavigateTo("/login");
    }

    private async Task VerifyAsync()
    {
        if (_pending is not { } pending)
            return;
        var outcome = await Credentials.CheckSecondFactorAsync(pending.UserId, Input!.Code, HttpContext.Connection.RemoteIpAddress?.ToString());
        if (outcome.Status == SignInStatus.Succeeded && outcome.User!.SecurityStamp == pending.Stamp)
        {
            PendingSecondFactor.End(HttpContext);
            await PanelSignIn.SignInAsync(HttpContext, outcome.User);
            Navigation.NavigateTo(ReturnUrls.Safe(ReturnUrl));
            return;
        }
        Problem = outcome.Status == SignInStatus.LockedOut
            ? L["ProblemLockedOut", outcome.LockedUntil!.Value.ToString("u", System.Globalization.CultureInfo.InvariantCulture)].Value
            : L["ProblemWrongCode"].Value;
    }
}

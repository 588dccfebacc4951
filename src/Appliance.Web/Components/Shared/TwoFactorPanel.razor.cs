using Appliance.Web.Auth;
using Appliance.Web.Components.Forms;
using Appliance.Web.Users;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.Shared;

/// <summary>The signed-in user's authenticator-app second factor: set up (QR code, confirm a code, recovery codes) or turn off.</summary>
public partial class TwoFactorPanel
{
    [Inject]
    private TwoFactorSetup Setup { get; set; } = default!;

    [Inject]
    private CurrentActor Current { get; set; } = default!;

    [Inject]
    private UserStore Users { get; set; } = default!;

    private bool? Enabled { get; set; }

    private int RemainingCodes { get; set; }

    private TotpEnrollment? Enrollment { get; set; }

    private IReadOnlyList<string>? RecoveryCodes { get; set; }

    private SecondFactorForm Input { get; set; } = new();

    private PasswordConfirmationForm DisableInput { get; set; } = new();

    private string? Problem { get; set; }

    protected override Task OnInitializedAsync() => RefreshAsync();

    private async Task RefreshAsync()
    {
        if (await Current.UserIdAsync() is not { } id || await Users.FindByIdAsync(id) is not { } user)
            return;
        Enabled = user.TotpEnabled;
        RemainingCodes = await Users.CountRecoveryCodesAsync(id);
    }

    private async Task BeginAsync()
    {
        var actor = await Current.ActorAsync();
        Enrollment = await Setup.BeginAsync(actor.UserName);
        Input = new SecondFactorForm();
    }

    private async Task ConfirmAsync()
    {
        if (Enrollment is null || await Current.UserIdAsync() is not { } id)
            return;
        RecoveryCodes = await Setup.ConfirmAsync(id, Enrollment, Input.Code, await Current.ActorAsync());
        Problem = RecoveryCodes is null ? L["ProblemWrongCode"].Value : null;
        if (RecoveryCodes is not null)
            Enrollment = null;
    }

    private async Task Done()
    {
        RecoveryCodes = null;
        await RefreshAsync();
    }

    private async Task DisableAsync()
    {
        if (await Current.UserIdAsync() is not { } id)
            return;
        bool done = await Setup.DisableAsync(id, DisableInput.Password, await Current.ActorAsync());
        DisableInput = new PasswordConfirmationForm();
        Problem = done ? null : L["ProblemTotpOffPassword"].Value;
        await RefreshAsync();
    }
}

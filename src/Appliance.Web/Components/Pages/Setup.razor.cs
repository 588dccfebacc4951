using Appliance.Web.Audit;
using Appliance.Web.Auth;
using Appliance.Web.Components.Forms;
using Appliance.Web.Users;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;

namespace Appliance.Web.Components.Pages;

/// <summary>First run: creates the first admin (there is no default password), or restores a backup. Gone once an admin exists.</summary>
public partial class Setup
{
    [CascadingParameter]
    private HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromForm(FormName = "setup")]
    private FirstAdminForm? Input { get; set; }

    [SupplyParameterFromQuery(Name = "problem")]
    private string? RestoreProblem { get; set; }

    [Inject]
    private UserStore Users { get; set; } = default!;

    [Inject]
    private IPasswordHasher<PanelUser> Hasher { get; set; } = default!;

    [Inject]
    private AuditLog Audit { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    private string? Problem { get; set; }

    protected override async Task OnInitializedAsync()
    {
        Input ??= new FirstAdminForm();
        if (await Users.AnyAdminAsync())
        {
            Navigation.NavigateTo("/login");
            return;
        }
        Problem = RestoreProblem;
    }

    private async Task CreateAdminAsync()
    {
        string name = Input!.UserName.Trim();
        long? id = await Users.TryAddFirstAdminAsync(name, Hasher.HashPassword(new PanelUser(), Input!.Password), Time.GetUtcNow().ToUnixTimeMilliseconds());
        if (id is null)
        {
            // Someone else finished the setup first.
            Navigation.NavigateTo("/login");
            return;
        }
        var user = (await Users.FindByIdAsync(id.Value))!;
        await Audit.RecordAsync(new AuditActor(name, HttpContext.Connection.RemoteIpAddress?.ToString()), AuditActions.SetupCompleted, name);
        await PanelSignIn.SignInAsync(HttpContext, user);
        Navigation.NavigateTo("/");
    }
}

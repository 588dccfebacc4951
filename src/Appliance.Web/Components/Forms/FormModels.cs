using System.ComponentModel.DataAnnotations;
using Appliance.Web.Localization;

namespace Appliance.Web.Components.Forms;

/// <summary>User names: letters, digits and . _ - @, 1–64 characters.</summary>
public static class FormRules
{
    public const string UserNamePattern = @"^[\p{L}\p{N}._@-]{1,64}$";
    public const int MinPasswordLength = 12;
    public const int MaxPasswordLength = 256;
}

public sealed class LoginForm
{
    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    public string UserName { get; set; } = "";

    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    public string Password { get; set; } = "";
}

public sealed class SecondFactorForm
{
    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    [RegularExpression(@"^\s*(\d{6}|[A-Za-z2-7]{4}(-?[A-Za-z2-7]{4}){3})\s*$",
        ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.CodeFormat))]
    public string Code { get; set; } = "";
}

/// <summary>The signed-in user's password, asked again before a change that weakens their sign-in.</summary>
public sealed class PasswordConfirmationForm
{
    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    public string Password { get; set; } = "";
}

/// <summary>The setup page's first admin (always role admin).</summary>
public class FirstAdminForm
{
    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    [RegularExpression(FormRules.UserNamePattern, ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.UserNameFormat))]
    public string UserName { get; set; } = "";

    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    [StringLength(FormRules.MaxPasswordLength, MinimumLength = FormRules.MinPasswordLength,
        ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.PasswordLength))]
    public string Password { get; set; } = "";

    [Compare(nameof(Password), ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.PasswordsDiffer))]
    public string ConfirmPassword { get; set; } = "";
}

/// <summary>The users page's new user: name, password and role.</summary>
public sealed class NewUserForm : FirstAdminForm
{
    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    [RegularExpression("^(admin|viewer)$", ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.RoleUnknown))]
    public string Role { get; set; } = Users.PanelRoles.Viewer;
}

public sealed class NewPasswordForm
{
    /// <summary>Asked when users change their own password; not when an admin resets someone's.</summary>
    public string CurrentPassword { get; set; } = "";

    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    [StringLength(FormRules.MaxPasswordLength, MinimumLength = FormRules.MinPasswordLength,
        ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.PasswordLength))]
    public string Password { get; set; } = "";

    [Compare(nameof(Password), ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.PasswordsDiffer))]
    public string ConfirmPassword { get; set; } = "";
}

using System.Globalization;
using System.Resources;

namespace Appliance.Web.Localization;

/// <summary>
/// Validation messages for DataAnnotations attributes (<c>ErrorMessageResourceType = typeof(ValidationText)</c>), read from the
/// same <c>Text.resx</c> in the current UI culture.
/// </summary>
public static class ValidationText
{
    private static readonly ResourceManager Resources = new(typeof(Text).FullName!, typeof(Text).Assembly);

    public static string Required => Get(nameof(Required));
    public static string UserNameFormat => Get(nameof(UserNameFormat));
    public static string PasswordLength => Get(nameof(PasswordLength));
    public static string PasswordsDiffer => Get(nameof(PasswordsDiffer));
    public static string CodeFormat => Get(nameof(CodeFormat));
    public static string PanelNameLength => Get(nameof(PanelNameLength));
    public static string RetentionRange => Get(nameof(RetentionRange));
    public static string RoleUnknown => Get(nameof(RoleUnknown));
    public static string UntilBeforeFrom => Get(nameof(UntilBeforeFrom));
    public static string ClientName => Get(nameof(ClientName));
    public static string DialHost => Get(nameof(DialHost));
    public static string PortRange => Get(nameof(PortRange));

    private static string Get(string name) => Resources.GetString("Validation" + name, CultureInfo.CurrentUICulture) ?? name;
}

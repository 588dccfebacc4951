namespace Appliance.Web.Security;

/// <summary>Where to send a user back to after a form: only a path of this site, never another origin (open redirect).</summary>
public static class ReturnUrls
{
    public static string Safe(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal)
            && !returnUrl.Contains('\\', StringComparison.Ordinal) ? returnUrl : "/";
}

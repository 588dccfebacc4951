namespace Appliance.Web.Auth;

/// <summary>Authorization policy names. Every endpoint without one needs a signed-in user (the fallback policy fails closed).</summary>
public static class PanelPolicies
{
    /// <summary>Admin actions; a viewer gets 403.</summary>
    public const string Admin = "admin";
}

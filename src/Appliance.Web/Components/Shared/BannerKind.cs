namespace Appliance.Web.Components.Shared;

/// <summary>What a banner tells: an error (role=alert), a success or a neutral note (role=status).</summary>
public enum BannerKind
{
    Error,
    Success,
    Info,
}

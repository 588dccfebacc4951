using Appliance.Web.Users;

namespace Appliance.Web.Auth;

public enum SignInStatus
{
    Succeeded,
    SecondFactorRequired,
    Failed,
    LockedOut,
}

/// <summary>The outcome of checking a password or a second-factor code; <see cref="User"/> is set on success or when a code is required.</summary>
public sealed record SignInOutcome(SignInStatus Status, PanelUser? User = null, DateTimeOffset? LockedUntil = null)
{
    public static SignInOutcome Failed { get; } = new(SignInStatus.Failed);
}

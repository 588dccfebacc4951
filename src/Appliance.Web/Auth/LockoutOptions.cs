namespace Appliance.Web.Auth;

/// <summary>How many wrong passwords or codes lock an account, and for how long (<c>Panel:Lockout</c>).</summary>
public sealed class LockoutOptions
{
    public int MaxFailedAttempts { get; set; } = 5;
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Sign-in form posts allowed per client IP per minute, whatever the user name.</summary>
    public int PostsPerMinutePerAddress { get; set; } = 30;
}

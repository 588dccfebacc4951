namespace Appliance.Web.Users;

/// <summary>A user of the panel as stored; the hash and TOTP secret never leave the server.</summary>
public sealed record PanelUser
{
    public long Id { get; init; }
    public string UserName { get; init; } = "";
    public string PasswordHash { get; init; } = "";
    public string Role { get; init; } = PanelRoles.Viewer;
    public string SecurityStamp { get; init; } = "";
    public int FailedLogins { get; init; }
    public long? LockedUntil { get; init; }
    public string? TotpSecret { get; init; }
    public long? TotpLastStep { get; init; }
    public long CreatedAt { get; init; }

    public bool TotpEnabled => TotpSecret is not null;
}

/// <summary>The roles a panel user can have.</summary>
public static class PanelRoles
{
    /// <summary>May change everything.</summary>
    public const string Admin = "admin";

    /// <summary>May look at everything, change nothing.</summary>
    public const string Viewer = "viewer";

    public static readonly IReadOnlyList<string> All = [Admin, Viewer];

    public static bool IsKnown(string role) => role is Admin or Viewer;
}

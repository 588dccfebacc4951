namespace Appliance.Web.Audit;

/// <summary>The action names the foundation records; other features add their own (dotted, lower case: "clients.revoke").</summary>
public static class AuditActions
{
    public const string SetupCompleted = "setup.completed";
    public const string SignedIn = "auth.signed-in";
    public const string SignInFailed = "auth.sign-in-failed";
    public const string LockedOut = "auth.locked-out";
    public const string SignedOut = "auth.signed-out";
    public const string SignedOutEverywhere = "auth.signed-out-everywhere";
    public const string TotpEnabled = "auth.totp-enabled";
    public const string TotpDisabled = "auth.totp-disabled";
    public const string RecoveryCodeUsed = "auth.recovery-code-used";
    public const string PasswordChanged = "auth.password-changed";
    public const string UserCreated = "users.created";
    public const string UserPasswordReset = "users.password-reset";
    public const string UserRoleChanged = "users.role-changed";
    public const string UserDeleted = "users.deleted";
    public const string SettingChanged = "settings.changed";
    public const string BackupDownloaded = "database.backup-downloaded";
    public const string DatabaseRestored = "database.restored";
}

using Appliance.Web.Audit;
using Appliance.Web.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Appliance.Web.Auth;

/// <summary>Checks passwords and second-factor codes, counting failures towards a lockout and auditing the outcome.</summary>
/// <remarks>
/// Failures count per user and client address: wrong passwords from one address lock that address out of the account, so an
/// outsider who knows an admin's name cannot keep the admin out from elsewhere. Guessing from many addresses is slowed by the
/// per-address limit on sign-in posts and, per address, by this lockout.
/// </remarks>
public sealed class CredentialChecker(
    UserStore users, IPasswordHasher<PanelUser> hasher, TotpCodes totp, AuditLog audit, TimeProvider time, IOptions<LockoutOptions> options)
{
    // Verified against when the user name is unknown, so a wrong name costs as long as a wrong password.
    private static readonly Lazy<string> DecoyHash = new(() => new PasswordHasher<PanelUser>().HashPassword(new PanelUser(), Guid.NewGuid().ToString()));

    public async Task<SignInOutcome> CheckPasswordAsync(string userName, string password, string? remoteAddress)
    {
        var user = await users.FindByNameAsync(userName.Trim());
        if (user is null)
        {
            hasher.VerifyHashedPassword(new PanelUser(), DecoyHash.Value, password);
            await audit.RecordAsync(new AuditActor(userName.Trim(), remoteAddress), AuditActions.SignInFailed, detail: "unknown user");
            return SignInOutcome.Failed;
        }
        var failures = await users.ReadFailuresAsync(user.Id, remoteAddress ?? "");
        if (LockedUntil(failures) is { } until)
            return new SignInOutcome(SignInStatus.LockedOut, LockedUntil: until);

        var verdict = hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
            return await FailAsync(user, failures, remoteAddress, "wrong password");
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
            await users.SetPasswordHashKeepingStampAsync(user.Id, hasher.HashPassword(user, password));
        if (user.TotpEnabled)
            return new SignInOutcome(SignInStatus.SecondFactorRequired, user);
        await users.ResetFailedLoginsAsync(user.Id, remoteAddress ?? "");
        await audit.RecordAsync(new AuditActor(user.UserName, remoteAddress), AuditActions.SignedIn);
        return new SignInOutcome(SignInStatus.Succeeded, user);
    }

    /// <summary>Checks a 6-digit authenticator code or a one-time recovery code of a user whose password was already accepted.</summary>
    public async Task<SignInOutcome> CheckSecondFactorAsync(long userId, string code, string? remoteAddress)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null || !user.TotpEnabled)
            return SignInOutcome.Failed;
        var failures = await users.ReadFailuresAsync(user.Id, remoteAddress ?? "");
        if (LockedUntil(failures) is { } until)
            return new SignInOutcome(SignInStatus.LockedOut, LockedUntil: until);

        string trimmed = code.Trim();
        bool accepted;
        string how;
        if (TotpCodes.LooksLikeTotp(trimmed))
        {
            // An unreadable secret (restored without the keys) matches no code; recovery codes still work.
            accepted = user.TotpSecret != UserStore.UnreadableSecret
                && totp.Verify(user.TotpSecret!, trimmed, out long step) && await users.TryUseTotpStepAsync(user.Id, step);
            how = "authenticator code";
        }
        else
        {
            accepted = await users.TryUseRecoveryCodeAsync(user.Id, trimmed);
            how = "recovery code";
        }
        if (!accepted)
            return await FailAsync(user, failures, remoteAddress, "wrong " + how);

        await users.ResetFailedLoginsAsync(user.Id, remoteAddress ?? "");
        var actor = new AuditActor(user.UserName, remoteAddress);
        if (how == "recovery code")
            await audit.RecordAsync(actor, AuditActions.RecoveryCodeUsed, user.UserName);
        await audit.RecordAsync(actor, AuditActions.SignedIn, detail: "with " + how);
        return new SignInOutcome(SignInStatus.Succeeded, user);
    }

    private DateTimeOffset? LockedUntil(SignInFailures failures)
    {
        if (failures.LockedUntil is not { } until)
            return null;
        var at = DateTimeOffset.FromUnixTimeMilliseconds(until);
        return at > time.GetUtcNow() ? at : null;
    }

    private async Task<SignInOutcome> FailAsync(PanelUser user, SignInFailures failures, string? remoteAddress, string reason)
    {
        var lockout = options.Value;
        // A lockout that has run out starts a fresh count.
        int failed = (failures.LockedUntil is null ? failures.Failed : 0) + 1;
        var actor = new AuditActor(user.UserName, remoteAddress);
        if (failed >= lockout.MaxFailedAttempts)
        {
            var until = time.GetUtcNow() + lockout.LockoutDuration;
            await users.RecordFailedLoginAsync(user.Id, remoteAddress ?? "", 0, until.ToUnixTimeMilliseconds());
            await audit.RecordAsync(actor, AuditActions.LockedOut, user.UserName, $"{reason}; locked until {until:u} for sign-ins from this address");
            return new SignInOutcome(SignInStatus.LockedOut, LockedUntil: until);
        }
        await users.RecordFailedLoginAsync(user.Id, remoteAddress ?? "", failed, null);
        await audit.RecordAsync(actor, AuditActions.SignInFailed, user.UserName, reason);
        return SignInOutcome.Failed;
    }
}

using Appliance.Web.Audit;
using Appliance.Web.Auth;
using Microsoft.AspNetCore.Identity;

namespace Appliance.Web.Users;

/// <summary>The outcome of a user change: done, or the reason (a key of <c>Text.resx</c>) it was refused.</summary>
public sealed record UserChange(bool Succeeded, string? ProblemKey = null)
{
    public static UserChange Done { get; } = new(true);

    public static UserChange Refused(string problemKey) => new(false, problemKey);
}

/// <summary>What admins do to users, and what users do to their own account. Each call checks who asks (fails closed) and audits.</summary>
public sealed class UserAdministration(UserStore users, IPasswordHasher<PanelUser> hasher, AuditLog audit, CurrentActor current, TimeProvider time)
{
    public async Task<UserChange> CreateAsync(string userName, string password, string role)
    {
        if (!await current.IsAdminAsync())
            return UserChange.Refused("ProblemAdminsOnly");
        if (!PanelRoles.IsKnown(role))
            return UserChange.Refused("ValidationRoleUnknown");
        long? id = await users.TryAddAsync(userName.Trim(), hasher.HashPassword(new PanelUser(), password), role, time.GetUtcNow().ToUnixTimeMilliseconds());
        if (id is null)
            return UserChange.Refused("ProblemUserNameTaken");
        await audit.RecordAsync(await current.ActorAsync(), AuditActions.UserCreated, userName.Trim(), "role " + role);
        return UserChange.Done;
    }

    public async Task<UserChange> ResetPasswordAsync(long userId, string newPassword)
    {
        if (!await current.IsAdminAsync())
            return UserChange.Refused("ProblemAdminsOnly");
        var user = await users.FindByIdAsync(userId);
        if (user is null)
            return UserChange.Refused("ProblemUserGone");
        await users.SetPasswordAsync(userId, hasher.HashPassword(user, newPassword));
        await audit.RecordAsync(await current.ActorAsync(), AuditActions.UserPasswordReset, user.UserName);
        return UserChange.Done;
    }

    public async Task<UserChange> DeleteAsync(long userId)
    {
        if (!await current.IsAdminAsync())
            return UserChange.Refused("ProblemAdminsOnly");
        if (await current.UserIdAsync() == userId)
            return UserChange.Refused("ProblemCannotDeleteSelf");
        var user = await users.FindByIdAsync(userId);
        if (user is null)
            return UserChange.Refused("ProblemUserGone");
        await users.DeleteAsync(userId);
        await audit.RecordAsync(await current.ActorAsync(), AuditActions.UserDeleted, user.UserName);
        return UserChange.Done;
    }

    /// <summary>The signed-in user's own password: needs the current one; ends every other sign-in of the user.</summary>
    public async Task<UserChange> ChangeOwnPasswordAsync(string currentPassword, string newPassword)
    {
        if (await current.UserIdAsync() is not { } id || await users.FindByIdAsync(id) is not { } user)
            return UserChange.Refused("ProblemUserGone");
        if (hasher.VerifyHashedPassword(user, user.PasswordHash, currentPassword) == PasswordVerificationResult.Failed)
            return UserChange.Refused("ProblemCurrentPasswordWrong");
        await users.SetPasswordAsync(id, hasher.HashPassword(user, newPassword));
        await audit.RecordAsync(await current.ActorAsync(), AuditActions.PasswordChanged, user.UserName);
        return UserChange.Done;
    }
}

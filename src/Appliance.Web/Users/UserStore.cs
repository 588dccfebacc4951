using System.Security.Cryptography;
using System.Text;
using Appliance.Web.Data;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;

namespace Appliance.Web.Users;

/// <summary>The users table, their recovery codes and their sign-in lockouts.</summary>
/// <remarks>
/// TOTP secrets are stored protected with Data Protection (prefix <see cref="ProtectedPrefix"/>), like the other secrets, so a
/// copy of the database alone does not give away second factors; a backup restores them only with the panel's keys
/// directory beside it. A secret that cannot be unprotected (a backup restored without the keys) reads as
/// <see cref="UnreadableSecret"/>: no authenticator code matches it, and the user signs in with a recovery code and enrols again.
/// </remarks>
public sealed class UserStore(PanelDatabase database, IDataProtectionProvider dataProtection)
{
    public const string ProtectedPrefix = "dp1:";
    public const string UnreadableSecret = "";

    private readonly IDataProtector _totpSecrets = dataProtection.CreateProtector("Appliance.Web.Users.TotpSecret.v1");

    private const string Columns =
        "id AS Id, user_name AS UserName, password_hash AS PasswordHash, role AS Role, security_stamp AS SecurityStamp, " +
        "failed_logins AS FailedLogins, locked_until AS LockedUntil, totp_secret AS TotpSecret, totp_last_step AS TotpLastStep, created_at AS CreatedAt";

    private const string SelectByName = "SELECT " + Columns + " FROM users WHERE user_name = @userName";
    private const string SelectById = "SELECT " + Columns + " FROM users WHERE id = @id";
    private const string SelectAll = "SELECT " + Columns + " FROM users ORDER BY user_name";
    private const string CountAdmins = "SELECT COUNT(*) FROM users WHERE role = 'admin'";
    private const string Insert =
        "INSERT INTO users (user_name, password_hash, role, security_stamp, created_at) VALUES (@UserName, @PasswordHash, @Role, @SecurityStamp, @CreatedAt) RETURNING id";

    public async Task<bool> AnyAdminAsync()
    {
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(CountAdmins) > 0;
    }

    public async Task<PanelUser?> FindByNameAsync(string userName)
    {
        await using var connection = await database.OpenAsync();
        return Reveal(await connection.QuerySingleOrDefaultAsync<PanelUser>(SelectByName, new { userName }));
    }

    public async Task<PanelUser?> FindByIdAsync(long id)
    {
        await using var connection = await database.OpenAsync();
        return Reveal(await connection.QuerySingleOrDefaultAsync<PanelUser>(SelectById, new { id }));
    }

    public async Task<IReadOnlyList<PanelUser>> ListAsync()
    {
        await using var connection = await database.OpenAsync();
        return (await connection.QueryAsync<PanelUser>(SelectAll)).Select(u => Reveal(u)!).ToList();
    }

    /// <summary>Adds a user; null when the name is taken.</summary>
    public async Task<long?> TryAddAsync(string userName, string passwordHash, string role, long createdAt)
    {
        await using var connection = await database.OpenAsync();
        return await TryAddAsync(connection, null, userName, passwordHash, role, createdAt);
    }

    /// <summary>Adds the first admin only while no admin exists (checked and inserted in one write transaction); null otherwise.</summary>
    public async Task<long?> TryAddFirstAdminAsync(string userName, string passwordHash, long createdAt)
    {
        await using var connection = await database.OpenAsync();
        await using var transaction = await BeginWriteAsync(connection);
        if (await connection.ExecuteScalarAsync<long>(CountAdmins, transaction: transaction) > 0)
            return null;
        long? id = await TryAddAsync(connection, transaction, userName, passwordHash, PanelRoles.Admin, createdAt);
        await transaction.CommitAsync();
        return id;
    }

    public async Task<bool> DeleteAsync(long id)
    {
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteAsync("DELETE FROM users WHERE id = @id", new { id }) == 1;
    }

    /// <summary>Sets a new password hash and a new security stamp (every existing sign-in of the user ends), and lifts any lockout.</summary>
    public async Task SetPasswordAsync(long id, string passwordHash)
    {
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync(
            "UPDATE users SET password_hash = @passwordHash, security_stamp = @stamp, failed_logins = 0, locked_until = NULL WHERE id = @id",
            new { id, passwordHash, stamp = NewSecurityStamp() });
        await connection.ExecuteAsync("DELETE FROM sign_in_lockouts WHERE user_id = @id", new { id });
    }

    /// <summary>Replaces the hash of an unchanged password (a newer hash format); sign-ins stay valid.</summary>
    public async Task SetPasswordHashKeepingStampAsync(long id, string passwordHash)
    {
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync("UPDATE users SET password_hash = @passwordHash WHERE id = @id", new { id, passwordHash });
    }

    public async Task SetRoleAsync(long id, string role)
    {
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync("UPDATE users SET role = @role, security_stamp = @stamp WHERE id = @id", new { id, role, stamp = NewSecurityStamp() });
    }

    /// <summary>A new security stamp: every cookie and circuit of the user is refused from its next check on.</summary>
    public async Task RotateSecurityStampAsync(long id)
    {
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync("UPDATE users SET security_stamp = @stamp WHERE id = @id", new { id, stamp = NewSecurityStamp() });
    }

    /// <summary>The failed sign-ins of a user from one address (<c>""</c> when unknown), and until when that address is locked out.</summary>
    public async Task<SignInFailures> ReadFailuresAsync(long id, string remoteAddress)
    {
        await using var connection = await database.OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<SignInFailures>(
            "SELECT failed AS Failed, locked_until AS LockedUntil FROM sign_in_lockouts WHERE user_id = @id AND remote_address = @remoteAddress",
            new { id, remoteAddress }) ?? new SignInFailures();
    }

    public async Task RecordFailedLoginAsync(long id, string remoteAddress, int failed, long? lockedUntil)
    {
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync(
            "INSERT INTO sign_in_lockouts (user_id, remote_address, failed, locked_until) VALUES (@id, @remoteAddress, @failed, @lockedUntil) " +
            "ON CONFLICT (user_id, remote_address) DO UPDATE SET failed = excluded.failed, locked_until = excluded.locked_until",
            new { id, remoteAddress, failed, lockedUntil });
    }

    public async Task ResetFailedLoginsAsync(long id, string remoteAddress)
    {
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync("DELETE FROM sign_in_lockouts WHERE user_id = @id AND remote_address = @remoteAddress", new { id, remoteAddress });
    }

    /// <summary>Protects TOTP secrets still stored as they were before they were protected (an older database or backup).</summary>
    public async Task<int> ProtectStoredTotpSecretsAsync()
    {
        await using var connection = await database.OpenAsync();
        var plain = await connection.QueryAsync<(long Id, string Secret)>(
            "SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL AND totp_secret NOT LIKE 'dp1:%'");
        int changed = 0;
        foreach (var (id, secret) in plain)
            changed += await connection.ExecuteAsync(
                "UPDATE users SET totp_secret = @protectedSecret WHERE id = @id AND totp_secret = @secret", new { id, secret, protectedSecret = Protect(secret) });
        return changed;
    }

    private string Protect(string secret) => ProtectedPrefix + _totpSecrets.Protect(secret);

    private PanelUser? Reveal(PanelUser? user)
    {
        if (user?.TotpSecret is not { } stored || !stored.StartsWith(ProtectedPrefix, StringComparison.Ordinal))
            return user;
        try
        {
            return user with { TotpSecret = _totpSecrets.Unprotect(stored[ProtectedPrefix.Length..]) };
        }
        catch (CryptographicException)
        {
            return user with { TotpSecret = UnreadableSecret };
        }
    }

    /// <summary>Records that a TOTP time step was used; false when that step (or a later one) was already used, i.e. a replay.</summary>
    public async Task<bool> TryUseTotpStepAsync(long id, long step)
    {
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteAsync(
            "UPDATE users SET totp_last_step = @step WHERE id = @id AND (totp_last_step IS NULL OR totp_last_step < @step)", new { id, step }) == 1;
    }

    /// <summary>Turns the second factor on with its secret and replaces all recovery codes, in one transaction.</summary>
    public async Task EnableTotpAsync(long id, string secret, long usedStep, IEnumerable<string> recoveryCodes)
    {
        await using var connection = await database.OpenAsync();
        await using var transaction = await BeginWriteAsync(connection);
        await connection.ExecuteAsync(
            "UPDATE users SET totp_secret = @secret, totp_last_step = @usedStep WHERE id = @id", new { id, secret = Protect(secret), usedStep }, transaction);
        await connection.ExecuteAsync("DELETE FROM recovery_codes WHERE user_id = @id", new { id }, transaction);
        foreach (string code in recoveryCodes)
            await connection.ExecuteAsync(
                "INSERT INTO recovery_codes (user_id, code_hash) VALUES (@id, @hash)", new { id, hash = HashRecoveryCode(code) }, transaction);
        await transaction.CommitAsync();
    }

    public async Task DisableTotpAsync(long id)
    {
        await using var connection = await database.OpenAsync();
        await using var transaction = await BeginWriteAsync(connection);
        await connection.ExecuteAsync("UPDATE users SET totp_secret = NULL, totp_last_step = NULL WHERE id = @id", new { id }, transaction);
        await connection.ExecuteAsync("DELETE FROM recovery_codes WHERE user_id = @id", new { id }, transaction);
        await transaction.CommitAsync();
    }

    /// <summary>Uses up a recovery code: true exactly once per code.</summary>
    public async Task<bool> TryUseRecoveryCodeAsync(long id, string code)
    {
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteAsync(
            "DELETE FROM recovery_codes WHERE user_id = @id AND code_hash = @hash", new { id, hash = HashRecoveryCode(code) }) == 1;
    }

    public async Task<int> CountRecoveryCodesAsync(long id)
    {
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM recovery_codes WHERE user_id = @id", new { id });
    }

    public static string NewSecurityStamp() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Recovery codes are 80-bit random values, so a fast hash suffices (no dictionary to search); input is normalized.</summary>
    public static string HashRecoveryCode(string code)
    {
        string normalized = code.Replace("-", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)));
    }

    private static async Task<long?> TryAddAsync(SqliteConnection connection, SqliteTransaction? transaction, string userName, string passwordHash, string role, long createdAt)
    {
        try
        {
            return await connection.ExecuteScalarAsync<long>(
                Insert, new { UserName = userName, PasswordHash = passwordHash, Role = role, SecurityStamp = NewSecurityStamp(), CreatedAt = createdAt }, transaction);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19) // SQLITE_CONSTRAINT: the name is taken
        {
            return null;
        }
    }

    // BEGIN IMMEDIATE takes the write lock up front, so a check-then-insert cannot race another writer.
    private static Task<SqliteTransaction> BeginWriteAsync(SqliteConnection connection) =>
        Task.FromResult(connection.BeginTransaction(deferred: false));
}

/// <summary>Failed sign-ins of one user from one address since the last success or lockout.</summary>
public sealed record SignInFailures
{
    public int Failed { get; init; }
    public long? LockedUntil { get; init; }
}

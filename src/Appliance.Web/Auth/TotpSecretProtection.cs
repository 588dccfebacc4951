using Appliance.Web.Users;

namespace Appliance.Web.Auth;

/// <summary>At start, protects TOTP secrets a database from before their protection still holds as they were.</summary>
public sealed partial class TotpSecretProtection(UserStore users, ILogger<TotpSecretProtection> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        int changed = await users.ProtectStoredTotpSecretsAsync();
        if (changed > 0)
            Log.SecretsProtected(logger, changed);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Protected the TOTP secrets of {Count} users that were stored unprotected")]
        public static partial void SecretsProtected(ILogger logger, int count);
    }
}

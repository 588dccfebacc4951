using Appliance.Web.Audit;
using Appliance.Web.Auth;
using Appliance.Web.Data;
using Appliance.Web.Security;
using Appliance.Web.Users;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication;

namespace Appliance.Web.Endpoints;

/// <summary>Backup download and restore upload of the panel database (admins), and restore on a fresh panel (setup).</summary>
public static class DatabaseEndpoints
{
    public const string BackupPath = "/admin/database/backup";
    public const string RestorePath = "/admin/database/restore";
    public const string SetupRestorePath = "/setup/restore";
    public const string ConfirmField = "confirm";
    public const string ConfirmValue = "replace-all-data";

    public static IEndpointRouteBuilder MapDatabaseEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet(BackupPath, async (HttpContext context, DatabaseBackup backup, AuditLog audit, TimeProvider time) =>
        {
            var stream = await backup.CreateBackupAsync();
            await audit.RecordAsync(CurrentActor.Of(context), AuditActions.BackupDownloaded);
            return TypedResults.File(stream, "application/vnd.sqlite3", $"panel-{time.GetUtcNow():yyyyMMdd-HHmmss}.db");
        }).RequireAuthorization(PanelPolicies.Admin);

        app.MapPost(RestorePath, async (HttpContext context, IFormFile? file, DatabaseBackup backup, UserStore users, AuditLog audit) =>
        {
            if (file is null || file.Length == 0)
                return Results.LocalRedirect("/settings?restore=no-file");
            // Restoring replaces every user, agent and setting: the form asks the admin to tick that they mean it.
            if (!string.Equals(context.Request.Form[ConfirmField], ConfirmValue, StringComparison.Ordinal))
                return Results.LocalRedirect("/settings?restore=unconfirmed");
            var actor = CurrentActor.Of(context);
            await using var upload = file.OpenReadStream();
            var outcome = await backup.RestoreAsync(upload, context.RequestAborted);
            if (!outcome.Succeeded)
                return Results.LocalRedirect("/settings?restore=refused&problem=" + Uri.EscapeDataString(outcome.Problem!));
            await users.ProtectStoredTotpSecretsAsync();
            await audit.RecordAsync(actor, AuditActions.DatabaseRestored, file.FileName, $"schema version {outcome.SchemaVersion}");
            // The restored users decide who may be signed in; the cookie is re-checked against them on the next request.
            return Results.LocalRedirect("/settings?restore=done");
        }).RequireAuthorization(PanelPolicies.Admin).RequireAntiforgery();

        app.MapPost(SetupRestorePath, async (HttpContext context, IFormFile? file, DatabaseBackup backup, UserStore users, AuditLog audit) =>
        {
            if (await users.AnyAdminAsync())
                return Results.StatusCode(StatusCodes.Status403Forbidden);
            if (file is null || file.Length == 0)
                return Results.LocalRedirect("/setup?restore=no-file");
            await using var upload = file.OpenReadStream();
            var outcome = await backup.RestoreAsync(upload, context.RequestAborted);
            if (!outcome.Succeeded)
                return Results.LocalRedirect("/setup?restore=refused&problem=" + Uri.EscapeDataString(outcome.Problem!));
            await users.ProtectStoredTotpSecretsAsync();
            await audit.RecordAsync(new AuditActor("(setup)", context.Connection.RemoteIpAddress?.ToString()),
                AuditActions.DatabaseRestored, file.FileName, $"on a fresh panel; schema version {outcome.SchemaVersion}");
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect(AuthRegistration.LoginPath + "?restored=1");
        }).AllowAnonymous().RequireAntiforgery();
        return app;
    }
}

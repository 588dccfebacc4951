using Appliance.Web.Audit;
using Appliance.Web.Settings;
using Appliance.Web.Users;
using QRCoder;

namespace Appliance.Web.Auth;

/// <summary>A secret offered to the user, shown as QR code and text, not stored until a code from it is confirmed.</summary>
public sealed record TotpEnrollment(string Secret, string ProvisioningUri, string QrCodeDataUri);

/// <summary>Turning the authenticator-app second factor on and off for the signed-in user.</summary>
public sealed class TwoFactorSetup(UserStore users, TotpCodes totp, AuditLog audit, SettingsStore settings, CredentialChecker credentials)
{
    public async Task<TotpEnrollment> BeginAsync(string userName)
    {
        string secret = TotpCodes.NewSecret();
        string issuer = (await settings.ReadPanelSettingsAsync()).PanelName;
        string uri = TotpCodes.ProvisioningUri(secret, userName, issuer);
        using var data = QRCodeGenerator.GenerateQrCode(uri, QRCodeGenerator.ECCLevel.M);
        byte[] png = new PngByteQRCode(data).GetGraphic(6);
        return new TotpEnrollment(secret, uri, "data:image/png;base64," + Convert.ToBase64String(png));
    }

    /// <summary>Stores the secret when <paramref name="code"/> matches it; returns the new recovery codes (shown once), or null.</summary>
    public async Task<IReadOnlyList<string>?> ConfirmAsync(long userId, TotpEnrollment enrollment, string code, AuditActor actor)
    {
        if (!totp.Verify(enrollment.Secret, code.Trim(), out long step))
            return null;
        var codes = TotpCodes.NewRecoveryCodes();
        await users.EnableTotpAsync(userId, enrollment.Secret, step, codes);
        await audit.RecordAsync(actor, AuditActions.TotpEnabled, actor.UserName);
        return codes;
    }

    /// <summary>
    /// Turns the second factor off only when <paramref name="password"/> is the user's: a session left open on someone else's
    /// screen must not be enough. A wrong password counts towards the lockout like a wrong sign-in.
    /// </summary>
    public async Task<bool> DisableAsync(long userId, string password, AuditActor actor)
    {
        if (await users.FindByIdAsync(userId) is not { } user)
            return false;
        var outcome = await credentials.CheckPasswordAsync(user.UserName, password, actor.RemoteAddress);
        if (outcome.Status is not (SignInStatus.Succeeded or SignInStatus.SecondFactorRequired))
            return false;
        await users.DisableTotpAsync(userId);
        await audit.RecordAsync(actor, AuditActions.TotpDisabled, actor.UserName);
        return true;
    }
}

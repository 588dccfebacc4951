using System.Security.Cryptography;
using OtpNet;

namespace Appliance.Web.Auth;

/// <summary>RFC 6238 authenticator codes (Otp.NET): secrets, verification with one step of clock drift, recovery codes.</summary>
public sealed class TotpCodes(TimeProvider time)
{
    public const int RecoveryCodeCount = 10;

    /// <summary>A new 160-bit secret, Base32 as authenticator apps take it.</summary>
    public static string NewSecret() => Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20));

    /// <summary>The otpauth:// URI an authenticator app scans.</summary>
    public static string ProvisioningUri(string secret, string userName, string issuer) =>
        new OtpUri(OtpType.Totp, secret, userName, issuer).ToString();

    public static bool LooksLikeTotp(string code) => code.Length == 6 && code.All(char.IsAsciiDigit);

    /// <summary>True when <paramref name="code"/> is valid now (±1 step); <paramref name="step"/> is the matched step, to refuse its replay.</summary>
    public bool Verify(string secret, string code, out long step)
    {
        step = 0;
        if (!LooksLikeTotp(code))
            return false;
        var totp = new Totp(Base32Encoding.ToBytes(secret));
        return totp.VerifyTotp(time.GetUtcNow().UtcDateTime, code, out step, VerificationWindow.RfcSpecifiedNetworkDelay);
    }

    /// <summary>Ten codes like <c>4F7K-Q2MX-ZP9A-…</c>: 80 random bits each.</summary>
    public static IReadOnlyList<string> NewRecoveryCodes()
    {
        var codes = new List<string>(RecoveryCodeCount);
        for (int i = 0; i < RecoveryCodeCount; i++)
        {
            string text = Base32Encoding.ToString(RandomNumberGenerator.GetBytes(10));
            codes.Add(string.Join('-', Enumerable.Range(0, 4).Select(k => text.Substring(k * 4, 4))));
        }
        return codes;
    }
}

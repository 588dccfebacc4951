using System.Net;
using Appliance.Web.Auth;
using Appliance.Web.Users;
using Microsoft.Extensions.DependencyInjection;
using OtpNet;

namespace Appliance.Web.Tests.Http;

public sealed class TwoFactorTests : IDisposable
{
    private readonly PanelFactory _panel = new();
    private string _secret = "";
    private IReadOnlyList<string> _recoveryCodes = [];

    public void Dispose() => _panel.Dispose();

    private async Task EnableTotpForAdminAsync()
    {
        (await _panel.SetUpAsync()).Dispose();
        var users = _panel.Services.GetRequiredService<UserStore>();
        var admin = (await users.FindByNameAsync(PanelClient.AdminName))!;
        _secret = TotpCodes.NewSecret();
        _recoveryCodes = TotpCodes.NewRecoveryCodes();
        await users.EnableTotpAsync(admin.Id, _secret, usedStep: 0, _recoveryCodes);
    }

    private string CodeNow() => new Totp(Base32Encoding.ToBytes(_secret)).ComputeTotp(_panel.Clock.GetUtcNow().UtcDateTime);

    [Fact]
    public async Task With_totp_on_the_password_alone_does_not_sign_in()
    {
        await EnableTotpForAdminAsync();
        using var client = _panel.NewClient();
        PanelFixtures.AssertRedirect(await client.SignInAsync(), "/login/code");
        PanelFixtures.AssertRedirect(await client.GetAsync("/"), "/login");
    }

    [Fact]
    public async Task The_current_authenticator_code_signs_in_once()
    {
        await EnableTotpForAdminAsync();
        using var client = _panel.NewClient();
        await client.SignInAsync();
        string code = CodeNow();
        PanelFixtures.AssertRedirect(await client.SendCodeAsync(code), "/");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);

        using var replay = _panel.NewClient();
        await replay.SignInAsync();
        var refused = await replay.SendCodeAsync(code);
        Assert.Contains("That code is not valid", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        PanelFixtures.AssertRedirect(await replay.GetAsync("/"), "/login");
    }

    [Fact]
    public async Task A_wrong_or_stale_code_is_refused()
    {
        await EnableTotpForAdminAsync();
        using var client = _panel.NewClient();
        await client.SignInAsync();
        string stale = new Totp(Base32Encoding.ToBytes(_secret)).ComputeTotp(_panel.Clock.GetUtcNow().UtcDateTime.AddMinutes(-5));
        Assert.Contains("That code is not valid", await (await client.SendCodeAsync(stale)).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        PanelFixtures.AssertRedirect(await client.GetAsync("/"), "/login");
    }

    [Fact]
    public async Task A_recovery_code_works_exactly_once()
    {
        await EnableTotpForAdminAsync();
        using var first = _panel.NewClient();
        await first.SignInAsync();
        PanelFixtures.AssertRedirect(await first.SendCodeAsync(_recoveryCodes[3].ToLowerInvariant()), "/");

        using var second = _panel.NewClient();
        await second.SignInAsync();
        var refused = await second.SendCodeAsync(_recoveryCodes[3]);
        Assert.Contains("That code is not valid", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var users = _panel.Services.GetRequiredService<UserStore>();
        Assert.Equal(TotpCodes.RecoveryCodeCount - 1, await users.CountRecoveryCodesAsync((await users.FindByNameAsync(PanelClient.AdminName))!.Id));
    }

    [Fact]
    public async Task The_code_page_without_a_password_step_sends_back_to_sign_in()
    {
        await EnableTotpForAdminAsync();
        using var client = _panel.NewClient();
        PanelFixtures.AssertRedirect(await client.GetAsync("/login/code"), "/login");
    }

    private async Task<string?> StoredSecretAsync()
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_panel.DataDirectory, "panel.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT totp_secret FROM users WHERE user_name = 'admin'";
        return await command.ExecuteScalarAsync() as string;
    }

    [Fact]
    public async Task The_secret_is_stored_protected_and_codes_from_it_still_sign_in()
    {
        await EnableTotpForAdminAsync();

        string? stored = await StoredSecretAsync();

        Assert.NotNull(stored);
        Assert.StartsWith(UserStore.ProtectedPrefix, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(_secret, stored, StringComparison.Ordinal);
        using var client = _panel.NewClient();
        await client.SignInAsync();
        PanelFixtures.AssertRedirect(await client.SendCodeAsync(CodeNow()), "/");
    }

    [Fact]
    public async Task A_secret_stored_unprotected_by_an_older_panel_is_protected_and_keeps_working()
    {
        await EnableTotpForAdminAsync();
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_panel.DataDirectory, "panel.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE users SET totp_secret = $secret";
            command.Parameters.AddWithValue("$secret", _secret);
            await command.ExecuteNonQueryAsync();
        }

        int changed = await _panel.Services.GetRequiredService<UserStore>().ProtectStoredTotpSecretsAsync();

        Assert.Equal(1, changed);
        Assert.StartsWith(UserStore.ProtectedPrefix, await StoredSecretAsync(), StringComparison.Ordinal);
        using var client = _panel.NewClient();
        await client.SignInAsync();
        PanelFixtures.AssertRedirect(await client.SendCodeAsync(CodeNow()), "/");
    }

    [Fact]
    public async Task Turning_totp_off_needs_the_password_again()
    {
        await EnableTotpForAdminAsync();
        var users = _panel.Services.GetRequiredService<UserStore>();
        var setup = _panel.Services.GetRequiredService<TwoFactorSetup>();
        long id = (await users.FindByNameAsync(PanelClient.AdminName))!.Id;
        var actor = new Appliance.Web.Audit.AuditActor(PanelClient.AdminName, "203.0.113.1");

        bool withWrong = await setup.DisableAsync(id, "not the password", actor);
        bool stillOn = (await users.FindByIdAsync(id))!.TotpEnabled;
        bool withRight = await setup.DisableAsync(id, PanelClient.AdminPassword, actor);

        Assert.False(withWrong);
        Assert.True(stillOn, "a wrong password turned TOTP off");
        Assert.True(withRight);
        Assert.False((await users.FindByIdAsync(id))!.TotpEnabled);
    }
}

using Appliance.Agent.Api;
using System.Runtime.Versioning;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Agent.Tests;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[SupportedOSPlatform("linux")]
public sealed class FailedBearerAttemptsTests
{
    [Fact]
    public void An_address_is_blocked_at_the_limit_until_its_window_ends_and_others_are_not()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-05T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var attempts = new FailedBearerAttempts(clock);

        for (int i = 0; i < FailedBearerAttempts.Limit - 1; i++)
            attempts.RecordFailure("198.51.100.9");
        var belowLimit = attempts.BlockedUntil("198.51.100.9");
        attempts.RecordFailure("198.51.100.9");
        var atLimit = attempts.BlockedUntil("198.51.100.9");
        var other = attempts.BlockedUntil("203.0.113.1");
        clock.Advance(FailedBearerAttempts.Window);
        var afterWindow = attempts.BlockedUntil("198.51.100.9");

        Assert.Null(belowLimit);
        Assert.Equal(clock.GetUtcNow(), atLimit);
        Assert.Null(other);
        Assert.Null(afterWindow);
    }

    [Theory]
    [InlineData("POST", "/api/v1/clients", 200, true)]
    [InlineData("PUT", "/api/v1/config", 400, true)]
    [InlineData("GET", "/api/v1/clients/alice/profile", 200, true)]
    [InlineData("GET", "/api/v1/captures/0123/pcapng", 200, true)]
    [InlineData("GET", "/api/v1/clients", 401, true)]
    [InlineData("GET", "/api/v1/clients", 403, true)]
    [InlineData("GET", "/api/v1/sessions", 200, false)]
    [InlineData("GET", "/metrics", 200, false)]
    public void Changes_key_material_and_refusals_are_audited_routine_reads_are_not(string method, string path, int status, bool audited)
    {
        Assert.Equal(audited, ApiAuditLog.IsAudited(method, path, status));
    }
}

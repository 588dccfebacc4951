using Appliance.Tunnel.Capture;

namespace Appliance.Tunnel.Tests.Capture;

public sealed class CaptureOptionsTests
{
    [Fact]
    public void Defaults_are_valid_and_redact_credentials()
    {
        var options = new CaptureOptions();
        Assert.Empty(options.Validate());
        Assert.True(options.RedactCredentials);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_naming_the_setting_and_value()
    {
        var errors = new CaptureOptions
        {
            MaxFileBytes = 100,
            MaxDuration = TimeSpan.Zero,
            MaxFrames = 0,
            SnapLength = 13,
            BufferFrames = 0,
        }.Validate();

        Assert.Equal(5, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("MaxFileBytes: 100", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("SnapLength: 13", StringComparison.Ordinal));
    }

    [Fact]
    public void A_duration_too_long_for_nanosecond_timestamps_is_refused()
    {
        var error = Assert.Single(new CaptureOptions { MaxDuration = TimeSpan.MaxValue }.Validate());
        Assert.StartsWith("MaxDuration:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_longest_allowed_duration_starts_a_capture()
    {
        using var capture = new PortCapture(new MemoryStream(), "p", new CaptureOptions { MaxDuration = CaptureOptions.MaxMaxDuration, MaxFileBytes = long.MaxValue });
        Assert.Equal(CaptureState.Recording, capture.State);
    }

    [Fact]
    public void A_capture_refuses_invalid_options()
    {
        var error = Assert.Throws<ArgumentException>(() => new PortCapture(new MemoryStream(), "p", new CaptureOptions { BufferFrames = 0 }));
        Assert.Contains("BufferFrames", error.Message, StringComparison.Ordinal);
    }
}

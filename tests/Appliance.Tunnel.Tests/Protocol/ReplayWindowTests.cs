using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.Replay;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tunnel.Tests.Protocol;

public class ReplayWindowTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Id_zero_is_always_rejected()
    {
        var window = new ReplayWindow(_time);
        Assert.Equal(ReplayCheck.ZeroId, window.TryAccept(0));
        Assert.Equal(ReplayCheck.Accepted, window.TryAccept(1));
        Assert.Equal(ReplayCheck.ZeroId, window.TryAccept(0));
    }

    [Fact]
    public void Increasing_ids_are_accepted()
    {
        var window = new ReplayWindow(_time);
        for (uint id = 1; id <= 200; id++)
        {
            Assert.Equal(ReplayCheck.Accepted, window.TryAccept(id));
        }
    }

    [Fact]
    public void Duplicate_is_rejected()
    {
        var window = new ReplayWindow(_time);
        window.TryAccept(5);
        Assert.Equal(ReplayCheck.Duplicate, window.TryAccept(5));
    }

    [Fact]
    public void Out_of_order_id_within_the_window_is_accepted_once()
    {
        var window = new ReplayWindow(_time);
        window.TryAccept(100);
        Assert.Equal(ReplayCheck.Accepted, window.TryAccept(37));
        Assert.Equal(ReplayCheck.Duplicate, window.TryAccept(37));
        Assert.Equal(ReplayCheck.Accepted, window.TryAccept(99));
    }

    [Fact]
    public void Id_64_or_more_below_the_highest_is_too_old()
    {
        var window = new ReplayWindow(_time);
        window.TryAccept(100);
        Assert.Equal(ReplayCheck.TooOld, window.TryAccept(36));
        Assert.Equal(ReplayCheck.Accepted, window.TryAccept(37));
    }

    [Fact]
    public void Check_does_not_record_the_id()
    {
        var window = new ReplayWindow(_time);
        Assert.Equal(ReplayCheck.Accepted, window.Check(9));
        Assert.Equal(ReplayCheck.Accepted, window.TryAccept(9));
    }

    [Fact]
    public void Out_of_order_id_expires_15_seconds_after_a_higher_id_arrived()
    {
        var window = new ReplayWindow(_time);
        window.TryAccept(10);
        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(ReplayCheck.Accepted, window.Check(9));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ReplayCheck.Expired, window.TryAccept(9));
        // A fresh higher id is unaffected, and ids above the old one stay acceptable until it is old too.
        Assert.Equal(ReplayCheck.Accepted, window.TryAccept(12));
        Assert.Equal(ReplayCheck.Accepted, window.TryAccept(11));
    }

    [Fact]
    public void Explicit_timestamps_drive_the_time_rule()
    {
        var window = new ReplayWindow(_time);
        long start = _time.GetTimestamp();
        window.TryAccept(3, start);
        long later = start + 16 * _time.TimestampFrequency;
        Assert.Equal(ReplayCheck.Expired, window.Check(2, later));
        Assert.Equal(ReplayCheck.Accepted, window.Check(2, start + _time.TimestampFrequency));
    }

    [Fact]
    public void A_jump_beyond_the_window_forgets_older_ids()
    {
        var window = new ReplayWindow(_time);
        window.TryAccept(1);
        window.TryAccept(1000);
        Assert.Equal(ReplayCheck.TooOld, window.TryAccept(1));
        Assert.Equal(ReplayCheck.Accepted, window.TryAccept(999));
    }

    [Fact]
    public void Highest_u32_id_is_handled()
    {
        var window = new ReplayWindow(_time);
        Assert.Equal(ReplayCheck.Accepted, window.TryAccept(uint.MaxValue));
        Assert.Equal(ReplayCheck.Duplicate, window.TryAccept(uint.MaxValue));
        Assert.Equal(ReplayCheck.Accepted, window.TryAccept(uint.MaxValue - 63));
    }

    [Fact]
    public void Wrap_replay_newer_sender_time_starts_a_fresh_window()
    {
        var protection = new WrapReplayProtection(_time);
        Assert.Equal(ReplayCheck.Accepted, protection.TryAccept(new WrapReplayId(5, 1000)));
        Assert.Equal(ReplayCheck.Duplicate, protection.TryAccept(new WrapReplayId(5, 1000)));
        Assert.Equal(ReplayCheck.Accepted, protection.TryAccept(new WrapReplayId(1, 1001)));
        Assert.Equal(ReplayCheck.OlderSenderTime, protection.TryAccept(new WrapReplayId(6, 1000)));
        Assert.Equal(ReplayCheck.ZeroId, protection.TryAccept(new WrapReplayId(0, 1001)));
    }
}

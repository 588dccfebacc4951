using Appliance.Tunnel.Control.Reliability;

namespace Appliance.Tunnel.Tests.ControlChannel;

public class AckTrackerTests
{
    private static uint[] Write(AckTracker tracker, int max)
    {
        var buffer = new uint[8];
        int n = tracker.Write(buffer, max);
        return buffer[..n];
    }

    [Fact]
    public void Owed_acks_go_out_once_then_are_no_longer_pending()
    {
        var tracker = new AckTracker();
        tracker.Add(0);
        tracker.Add(1);
        Assert.Equal([0u, 1], Write(tracker, 8));
        Assert.False(tracker.HasPending);
    }

    [Fact]
    public void Control_packet_carries_at_most_four_and_the_rest_stay_owed()
    {
        var tracker = new AckTracker();
        for (uint id = 0; id < 6; id++)
            tracker.Add(id);
        Assert.Equal([0u, 1, 2, 3], Write(tracker, 4));
        Assert.Equal(2, tracker.PendingCount);
    }

    [Fact]
    public void Recently_acknowledged_ids_fill_the_free_room_most_recent_first()
    {
        var tracker = new AckTracker();
        for (uint id = 0; id < 5; id++)
        {
            tracker.Add(id);
            Write(tracker, 8);
        }
        tracker.Add(5);
        Assert.Equal([5u, 4, 3, 2, 1, 0], Write(tracker, 8));
    }

    [Fact]
    public void Recent_list_keeps_eight_ids()
    {
        var tracker = new AckTracker();
        for (uint id = 0; id < 12; id++)
        {
            tracker.Add(id);
            Write(tracker, 1);
        }
        Assert.Equal([11u, 10, 9, 8, 7, 6, 5, 4], tracker.Recent.ToArray());
    }

    [Fact]
    public void Id_acknowledged_again_moves_to_the_front_and_is_not_repeated_in_one_block()
    {
        var tracker = new AckTracker();
        foreach (uint id in new uint[] { 0, 1, 2 })
        {
            tracker.Add(id);
            Write(tracker, 8);
        }
        tracker.Add(0);
        Assert.Equal([0u, 2, 1], Write(tracker, 8));
        Assert.Equal([0u, 2, 1], tracker.Recent.ToArray());
    }

    [Fact]
    public void Same_id_owed_twice_is_sent_once()
    {
        var tracker = new AckTracker();
        tracker.Add(3);
        tracker.Add(3);
        Assert.Equal([3u], Write(tracker, 8));
    }

    [Fact]
    public void Full_pending_list_drops_and_counts_the_new_ack()
    {
        var tracker = new AckTracker(pendingCapacity: 2);
        Assert.True(tracker.Add(0));
        Assert.True(tracker.Add(1));
        Assert.False(tracker.Add(2));
        Assert.Equal(1, tracker.Dropped);
    }

    [Fact]
    public void Nothing_owed_and_nothing_recent_writes_nothing()
    {
        Assert.Empty(Write(new AckTracker(), 8));
    }
}

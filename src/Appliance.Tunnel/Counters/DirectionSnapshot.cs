using Appliance.Tunnel.Frames;

namespace Appliance.Tunnel.Counters;

/// <summary>An immutable copy of one direction's counters, taken by <see cref="DirectionCounters.Snapshot"/>.</summary>
public sealed class DirectionSnapshot
{
    private readonly long[] _values;

    internal DirectionSnapshot(long[] values) => _values = values;

    public static DirectionSnapshot Empty { get; } = new(new long[CounterLayout.Length]);

    /// <summary>Frames received (In) or delivered (Out), dropped ones included on In.</summary>
    public long Frames => _values[CounterLayout.Frames];
    public long Bytes => _values[CounterLayout.Bytes];
    public long VlanTaggedFrames => _values[CounterLayout.VlanTaggedFrames];
    public long DroppedFrames
    {
        get
        {
            long sum = 0;
            for (int i = 0; i < DropReasons.Count; i++)
                sum += _values[CounterLayout.DropBase + i];
            return sum;
        }
    }
    public long DroppedBytes => _values[CounterLayout.DroppedBytes];

    public long BySize(SizeClass sizeClass) => _values[CounterLayout.SizeBase + (int)sizeClass];
    public long ByFamily(EtherTypeFamily family) => _values[CounterLayout.FamilyBase + (int)family];
    public long ByPppoeCode(PppoeDiscoveryCode code) => _values[CounterLayout.PppoeCodeBase + (int)code];
    public long ByPppProtocol(PppProtocol protocol) => _values[CounterLayout.PppProtocolBase + (int)protocol];
    /// <summary>Frames whose headers were cut short or inconsistent, by what the classifier found.</summary>
    public long ByStatus(FrameStatus status) => status == FrameStatus.Complete
        ? Frames - IncompleteFrames
        : _values[CounterLayout.StatusBase + (int)status];
    public long IncompleteFrames
    {
        get
        {
            long sum = 0;
            for (int i = 1; i < CounterLayout.FrameStatusCount; i++)
                sum += _values[CounterLayout.StatusBase + i];
            return sum;
        }
    }

    /// <summary>Count of PPP control packets of a protocol (LCP, PAP, CHAP, IPCP, IPv6CP) with a code; 0 for other protocols.</summary>
    public long ByPppControl(PppProtocol protocol, byte code)
    {
        int row = CounterLayout.ControlRow(protocol);
        return row < 0 ? 0 : _values[CounterLayout.ControlBase + row * PppControlCodes.Count + PppControlCodes.Bucket(code)];
    }

    public long ByPppControl(PppProtocol protocol, PppControlCode code) => ByPppControl(protocol, (byte)code);

    public long Drops(DropReason reason) => _values[CounterLayout.DropBase + (int)reason];

    /// <summary>The PPP protocols whose control codes are broken out by <see cref="ByPppControl(PppProtocol, byte)"/>.</summary>
    public static IReadOnlyList<PppProtocol> ControlProtocols { get; } =
        [PppProtocol.Lcp, PppProtocol.Pap, PppProtocol.Chap, PppProtocol.Ipcp, PppProtocol.Ipv6cp];

    /// <summary>This snapshot minus an earlier one: what happened in between.</summary>
    public DirectionSnapshot Since(DirectionSnapshot earlier)
    {
        var values = new long[CounterLayout.Length];
        for (int i = 0; i < values.Length; i++)
            values[i] = _values[i] - earlier._values[i];
        return new DirectionSnapshot(values);
    }
}

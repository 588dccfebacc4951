using Appliance.Contracts;
using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;

namespace Appliance.Agent;

/// <summary>Turns engine counter snapshots into the API's stable, named shape.</summary>
internal static class CounterDtos
{
    public static PortStatus From(SwitchPort port)
    {
        var snapshot = port.Counters.Snapshot();
        return new PortStatus(port.Id, port.Name, port.Kind.ToString(), port.LearnedMacCount, From(snapshot.In), From(snapshot.Out));
    }

    public static DirectionCountersDto From(DirectionSnapshot s)
    {
        var bySize = new Dictionary<string, long>();
        foreach (var sizeClass in Enum.GetValues<SizeClass>())
            bySize[SizeClasses.Label(sizeClass)] = s.BySize(sizeClass);

        var byFamily = new Dictionary<string, long>();
        foreach (var family in Enum.GetValues<EtherTypeFamily>())
            AddNonZero(byFamily, family.ToString(), s.ByFamily(family));

        var byPppoe = new Dictionary<string, long>();
        foreach (var code in Enum.GetValues<PppoeDiscoveryCode>())
        {
            if (code != PppoeDiscoveryCode.None)
                AddNonZero(byPppoe, code.ToString().ToUpperInvariant(), s.ByPppoeCode(code));
        }

        var byProtocol = new Dictionary<string, long>();
        foreach (var protocol in Enum.GetValues<PppProtocol>())
        {
            if (protocol != PppProtocol.None)
                AddNonZero(byProtocol, protocol.ToString().ToUpperInvariant(), s.ByPppProtocol(protocol));
        }

        var byControl = new Dictionary<string, long>();
        foreach (var protocol in DirectionSnapshot.ControlProtocols)
        {
            for (int code = 1; code < PppControlCodes.Count; code++)
                AddNonZero(byControl, protocol.ToString().ToUpperInvariant() + " " + PppControlCodes.Name(protocol, code), s.ByPppControl(protocol, (byte)code));
        }

        var byStatus = new Dictionary<string, long>();
        foreach (var status in Enum.GetValues<FrameStatus>())
        {
            if (status != FrameStatus.Complete)
                AddNonZero(byStatus, status.ToString(), s.ByStatus(status));
        }

        var drops = new Dictionary<string, long>();
        for (int i = 0; i < DropReasons.Count; i++)
            AddNonZero(drops, DropReasons.Key((DropReason)i), s.Drops((DropReason)i));

        return new DirectionCountersDto(s.Frames, s.Bytes, s.VlanTaggedFrames, s.DroppedFrames, s.DroppedBytes,
            bySize, byFamily, byPppoe, byProtocol, byControl, byStatus, drops);
    }

    private static void AddNonZero(Dictionary<string, long> map, string key, long value)
    {
        if (value != 0)
            map[key] = value;
    }
}

using Appliance.Tunnel.Frames;

namespace Appliance.Tunnel.Counters;

/// <summary>Where each counter lives in one flat <c>long[]</c>, so a stripe is one array and a snapshot one copy.</summary>
internal static class CounterLayout
{
    /// <summary>PPP protocols whose control codes are counted one by one.</summary>
    public const int ControlProtocolCount = 5;

    public const int Frames = 0;
    public const int Bytes = 1;
    public const int VlanTaggedFrames = 2;
    public const int DroppedBytes = 3;
    public const int SizeBase = 4;
    public const int FamilyBase = SizeBase + SizeClasses.Count;
    public const int PppoeCodeBase = FamilyBase + EtherTypes.FamilyCount;
    public const int PppProtocolBase = PppoeCodeBase + PppoeDiscoveryCodes.Count;
    public const int StatusBase = PppProtocolBase + PppProtocols.Count;
    public const int ControlBase = StatusBase + FrameStatusCount;
    public const int DropBase = ControlBase + ControlProtocolCount * PppControlCodes.Count;
    public const int Length = DropBase + DropReasons.Count;

    public const int FrameStatusCount = (int)FrameStatus.PppControlLengthInconsistent + 1;

    /// <summary>Row of a control protocol in the control-code table, or -1 when its codes are not counted.</summary>
    public static int ControlRow(PppProtocol protocol) => protocol switch
    {
        PppProtocol.Lcp => 0,
        PppProtocol.Pap => 1,
        PppProtocol.Chap => 2,
        PppProtocol.Ipcp => 3,
        PppProtocol.Ipv6cp => 4,
        _ => -1,
    };

    public static PppProtocol ControlProtocolAt(int row) => row switch
    {
        0 => PppProtocol.Lcp,
        1 => PppProtocol.Pap,
        2 => PppProtocol.Chap,
        3 => PppProtocol.Ipcp,
        4 => PppProtocol.Ipv6cp,
        _ => PppProtocol.None,
    };
}

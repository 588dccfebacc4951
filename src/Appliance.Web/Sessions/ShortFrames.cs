using Appliance.Contracts;

namespace Appliance.Web.Sessions;

/// <summary>
/// The 14–33-byte size class, the origin-case signal: PPPoE control frames such as the 32-byte IPCP Configure-Ack live
/// there, and a faulty TAP driver eats them. Frames of that class go to the client but none come back from it is the
/// pattern to spot (see "Reading the counters" in the README).
/// </summary>
public static class ShortFrames
{
    public const string SizeClass = "14-33";

    public static long Of(DirectionCountersDto? direction) =>
        direction is not null && direction.BySize.TryGetValue(SizeClass, out long n) ? n : 0;

    /// <summary>True when the appliance sent the client short frames but received none from it.</summary>
    public static bool LookMissingFromClient(SessionDto session) => Of(session.Out) > 0 && Of(session.In) == 0;
}

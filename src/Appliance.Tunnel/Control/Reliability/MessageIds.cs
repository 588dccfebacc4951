namespace Appliance.Tunnel.Control.Reliability;

/// <summary>Serial-number arithmetic on u32 message ids, so comparisons stay right across a wrap.</summary>
internal static class MessageIds
{
    /// <summary>Signed distance from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static int Distance(uint from, uint to) => unchecked((int)(to - from));

    public static bool IsBefore(uint id, uint other) => Distance(other, id) < 0;
}

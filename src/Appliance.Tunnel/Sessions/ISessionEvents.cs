using System.Net;
using Appliance.Tunnel.Transport;

namespace Appliance.Tunnel.Sessions;

/// <summary>What a session tells its server about its life; the narrow way back from a session to the server.</summary>
internal interface ISessionEvents
{
    /// <summary>The client proved its certificate; called before the session's port exists, so whatever the server ends
    /// for it (an older session of the same client) has freed its MAC addresses before the first frame can arrive.</summary>
    void Authenticated(TunnelSession session);

    /// <summary>The session authenticated (its first key is active and its port exists).</summary>
    void Established(TunnelSession session);

    /// <summary>An authenticated data packet came from another address. True when the session may move there;
    /// false when the address belongs to another live session (the packet is then dropped and counted).</summary>
    bool TryFloat(TunnelSession session, UdpPeerLink link, SocketAddress to);

    /// <summary>The client was refused after TLS (certificate, cipher, identity change).</summary>
    void Refused(TunnelSession session);

    /// <summary>The session is to be removed now (its close grace is zero).</summary>
    void RemoveSoon(TunnelSession session);
}

/// <summary>A clock read on the data path: a timestamp refreshed once a second by the server's tick.</summary>
internal sealed class CoarseClock(TimeProvider time)
{
    private long _now = time.GetTimestamp();

    public TimeProvider Time { get; } = time;

    public long Now => Volatile.Read(ref _now);

    public long Refresh()
    {
        long now = Time.GetTimestamp();
        Volatile.Write(ref _now, now);
        return now;
    }

    public long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Time.TimestampFrequency);
}

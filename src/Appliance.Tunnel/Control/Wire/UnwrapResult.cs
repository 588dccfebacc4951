using Appliance.Tunnel.Counters;

namespace Appliance.Tunnel.Control.Wire;

/// <summary>Outcome of removing tls-crypt / tls-auth from a received control packet.</summary>
public enum UnwrapResult : byte
{
    Ok = 0,
    /// <summary>Shorter than the wrap's fixed fields.</summary>
    Truncated,
    /// <summary>The tag / HMAC does not match: wrong key, another server's key, or tampering.</summary>
    BadAuthentication,
    /// <summary>The caller's plain buffer is too small (a bug in the caller, not the peer).</summary>
    DestinationTooSmall,
}

/// <summary>Maps <see cref="UnwrapResult"/> to the shared drop reasons.</summary>
public static class UnwrapResults
{
    public static DropReason ToDropReason(UnwrapResult result) => result switch
    {
        UnwrapResult.BadAuthentication => DropReason.BadControlAuthentication,
        _ => DropReason.Malformed,
    };
}

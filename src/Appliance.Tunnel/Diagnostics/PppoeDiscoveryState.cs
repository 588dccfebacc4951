namespace Appliance.Tunnel.Diagnostics;

/// <summary>How far PPPoE discovery (RFC 2516 §5) got, as the client's port saw it.</summary>
public enum PppoeDiscoveryState : byte
{
    /// <summary>No discovery frame yet.</summary>
    Idle = 0,
    /// <summary>The client broadcast a PADI; no offer yet.</summary>
    PadiSent,
    /// <summary>An access concentrator offered (PADO); the client has not requested yet.</summary>
    PadoReceived,
    /// <summary>The client requested a session (PADR); no confirmation yet.</summary>
    PadrSent,
    /// <summary>The access concentrator answered the PADR with a PADS of session id 0 or an error tag.</summary>
    Refused,
    /// <summary>A PADS gave a session id (or session frames showed one when the tracker started mid-session).</summary>
    Session,
    /// <summary>A PADT ended the session.</summary>
    Terminated,
}

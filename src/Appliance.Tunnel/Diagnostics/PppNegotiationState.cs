namespace Appliance.Tunnel.Diagnostics;

/// <summary>A PPP control protocol's state from one end's perspective, close to RFC 1661 §4.2 as far as frames show it.</summary>
public enum PppNegotiationState : byte
{
    /// <summary>This end has sent no Configure-Request.</summary>
    Initial = 0,
    /// <summary>Req-Sent: its Configure-Request is not acknowledged, and it has not acknowledged the other end's.</summary>
    RequestSent,
    /// <summary>Ack-Rcvd: its Configure-Request was acknowledged; the other end's is not yet acknowledged by it.</summary>
    AckReceived,
    /// <summary>Ack-Sent: it acknowledged the other end's Configure-Request; its own is not yet acknowledged.</summary>
    AckSent,
    /// <summary>Both Configure-Requests acknowledged, each by an Ack with the request's identifier.</summary>
    Opened,
    /// <summary>A Terminate-Request was sent and not yet acknowledged.</summary>
    Closing,
    /// <summary>Terminated, or the layer below (LCP, the PPPoE session) went down.</summary>
    Closed,
}

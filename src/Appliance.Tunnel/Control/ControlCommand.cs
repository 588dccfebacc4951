namespace Appliance.Tunnel.Control;

/// <summary>Control-channel text messages (forward.c check_incoming_control_channel, push.c).</summary>
public enum ControlCommand : byte
{
    /// <summary>Anything not listed here; 2.6 logs and ignores it.</summary>
    Unknown = 0,
    /// <summary>Client asks for its options.</summary>
    PushRequest,
    /// <summary>Server's options (<c>PUSH_REPLY,…</c>).</summary>
    PushReply,
    /// <summary>Client is leaving (cc-exit).</summary>
    Exit,
    /// <summary>Server tells the client to reconnect (<c>RESTART</c>, <c>RESTART,[N]</c>).</summary>
    Restart,
    /// <summary>Server tells the client to stop (<c>HALT[,msg]</c>).</summary>
    Halt,
    /// <summary><c>AUTH_FAILED[,reason]</c>.</summary>
    AuthFailed,
    /// <summary><c>AUTH_PENDING[,…]</c>.</summary>
    AuthPending,
    /// <summary><c>INFO_PRE,…</c>.</summary>
    InfoPre,
    /// <summary><c>INFO,…</c>.</summary>
    Info,
    /// <summary><c>CR_RESPONSE,…</c>: answer to a challenge.</summary>
    ChallengeResponse,
}

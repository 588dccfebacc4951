namespace Appliance.Tunnel.Diagnostics;

/// <summary>Where the client's authentication to the ISP stands (PAP or CHAP codes only; bodies are never read).</summary>
public enum AuthenticationOutcome : byte
{
    /// <summary>No PAP or CHAP packet seen.</summary>
    None = 0,
    /// <summary>A PAP Authenticate-Request, CHAP Challenge or Response without a verdict yet.</summary>
    Pending,
    /// <summary>PAP Authenticate-Ack or CHAP Success from the ISP.</summary>
    Succeeded,
    /// <summary>PAP Authenticate-Nak or CHAP Failure from the ISP.</summary>
    Failed,
}

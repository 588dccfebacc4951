namespace Appliance.Tunnel.Diagnostics;

/// <summary>How patient <see cref="PppoeDiagnosis"/> is before it calls something a fault.</summary>
public sealed record PppoeDiagnosisThresholds
{
    /// <summary>Unanswered ISP IPCP Configure-Requests that make IPCP "stuck" (RFC 1661's Max-Configure is 10, pppd retries every 3 s).</summary>
    public int UnansweredIpcpRequests { get; init; } = 3;
    /// <summary>Or: how long an ISP IPCP Configure-Request may stay unanswered.</summary>
    public TimeSpan UnansweredIpcpTime { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>PADIs (or PADRs) without an answer before discovery is called failed.</summary>
    public int DiscoveryRetries { get; init; } = 3;
    /// <summary>Or: how long a PADI or PADR may stay unanswered.</summary>
    public TimeSpan DiscoveryTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Unanswered LCP Echo-Requests in a row before the link is called dead (pppd setups commonly give up after 3 to 5).</summary>
    public int UnansweredEchoes { get; init; } = 3;
    /// <summary>How long an NCP may be open without data in a direction before that is worth a finding.</summary>
    public TimeSpan QuietDataTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an answer (Echo-Reply, Configure-Ack) may take before it counts as missing; the requester's own
    /// restart timer (3 s in pppd, RFC 1661 §4.6) declares it missing sooner by repeating the request.</summary>
    public TimeSpan AnswerTimeout { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>Missing frames, all on one side of a size, before that size is named (or fewer, the oldest older than <see cref="UnansweredIpcpTime"/>).</summary>
    public int MissingFramesForSizeFinding { get; init; } = 3;
    /// <summary>Frames lost only above this size point at a path that drops IP fragments (1514-byte frames become 1566-byte datagrams).</summary>
    public int LargeFrameSize { get; init; } = 1400;

    public static PppoeDiagnosisThresholds Default { get; } = new();
}

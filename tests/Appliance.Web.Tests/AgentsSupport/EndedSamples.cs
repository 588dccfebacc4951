using Appliance.Contracts;

namespace Appliance.Web.Tests.AgentsSupport;

/// <summary>Sessions with PPPoE views and findings as the agent sends them: the origin fault (short frames lost from the client).</summary>
public static class EndedSamples
{
    public static readonly DateTimeOffset Connected = new(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);

    /// <summary>As the engine words it (the English the agent sends; the panel words it itself).</summary>
    public const string EngineExplanation = "Frames shorter than 34 bytes from the client never arrive: the IPCP Configure-Ack (id 2, 32 bytes) and 5 LCP Echo-Replies (30 bytes) never came.";

    public const string EngineFix = "The client's network driver drops frames shorter than 34 bytes.";

    public static PppoeFindingDto ShortFramesLost() => new("error", "short-frames-lost-from-client", EngineExplanation, EngineFix,
        [
            new MissingFrameDto("client", "IPCP", "Configure-Ack", 2, 32),
            .. Enumerable.Range(10, 5).Select(id => new MissingFrameDto("client", "LCP", "Echo-Reply", id, 30)),
        ],
        34,
        new Dictionary<string, string> { ["threshold"] = "34", ["smallestArrived"] = "36", ["ipv6Only"] = "true" });

    public static SessionDto Session(string id, string client, params PppoeFindingDto[] findings)
    {
        var negotiator = new PppNegotiatorDto("opened", 1, 0, 0, true, 1, 0, 0, 0, 0, 0);
        var traffic = new PppoeTrafficDto(40, 8, 40, 0, 0, 90, Connected);
        var pppoe = new PppoeViewDto(Connected.AddMinutes(1),
            new PppoeDiscoveryDto("session", 7, "02:00:00:00:00:01", "02:00:00:00:00:02", 1, 1, 1, 1, 0, 0, Connected, null, null),
            new PppControlProtocolDto("LCP", true, 1, Connected, null, negotiator, negotiator),
            new PppAuthenticationDto("PAP", "success", 1, 1, 0),
            new PppControlProtocolDto("IPCP", false, 0, null, null, negotiator with { State = "req-sent" }, negotiator with { State = "req-sent" }),
            new PppControlProtocolDto("IPv6CP", true, 1, Connected, null, negotiator, negotiator),
            traffic, traffic, findings);
        return new SessionDto(id, client, "127.0.0.1:5000", "udp", "AES-256-GCM", true, Connected, Connected, 0, "2.6.12", "linux", ["02:00:00:00:00:01"],
            Sessions.ThroughputTests.Counters(1000, 10), Sessions.ThroughputTests.Counters(2000, 20), pppoe);
    }

    public static FrameSizeProbeDto Probe(string sessionId, string client) => new(sessionId, client, Connected.AddSeconds(30), 2.5, 60, 34, 1514, 34, null,
        "from-client", "frames of 34 to 1514 bytes make the round trip; shorter ones are lost from the client",
        [new ProbedSizeDto(30, false), new ProbedSizeDto(33, false), new ProbedSizeDto(34, true), new ProbedSizeDto(1514, true)]);
}
